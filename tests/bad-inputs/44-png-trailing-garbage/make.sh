# A valid 1x1 PNG followed by 5 MB of random bytes (a polyglot-style
# appended payload).
mkdir -p "$1/media"
python3 - "$1/media/kid-0001.png" <<'PY'
import os, struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(b"\0\xff\0\0")) + chunk(b"IEND", b"")
with open(sys.argv[1], "wb") as f:
    f.write(png + os.urandom(5 << 20))
PY
