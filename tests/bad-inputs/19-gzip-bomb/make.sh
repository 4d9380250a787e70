# 1 GiB of zeros, about 1 MB compressed, streamed so that the generator
# itself never holds more than one chunk.
mkdir -p "$1/backup"
python3 - "$1/backup/dump.sql.gz" <<'PY'
import sys, zlib
z = zlib.compressobj(9, zlib.DEFLATED, 31)
chunk = b"\0" * (1 << 20)
with open(sys.argv[1], "wb") as f:
    for _ in range(1024):
        f.write(z.compress(chunk))
    f.write(z.flush())
PY
