# File names that are not UTF-8: 0xff, overlong, surrogate, cut, Latin-1.
mkdir -p "$1/logs"
python3 - "$1/logs" <<'PY'
import os, sys
for i, name in enumerate([b"\xff\xfe.log", b"over\xc0\xaflong.log", b"sur\xed\xa0\x80.log",
                          b"cut\xc3.log", b"caf\xe9.log"]):
    with open(os.path.join(sys.argv[1].encode(), name), "w") as f:
        f.write("login user=bytes%d.name@mail.com\n" % i)
PY
for i in 0 1 2 3 4; do echo "bytes$i.name@mail.com"; done > "$2/values"
