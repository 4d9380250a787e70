# Escape sequences (colour, cursor, title), BEL, DEL, CR and tab in names.
mkdir -p "$1/logs"
python3 - "$1/logs" <<'PY'
import os, sys
for i, name in enumerate([b"\x1b[31mred\x1b[0m.log", b"bell\x07.log", b"del\x7f.log",
                          b"cr\rINJECTED.log", b"tab\there.log", b"\x1b]0;title\x07.log"]):
    with open(os.path.join(sys.argv[1].encode(), name), "w") as f:
        f.write("login user=ctl%d.name@mail.com\n" % i)
PY
for i in 0 1 2 3 4 5; do echo "ctl$i.name@mail.com"; done > "$2/values"
