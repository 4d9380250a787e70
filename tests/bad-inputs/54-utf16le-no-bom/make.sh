# UTF-16LE without a BOM: every other byte is NUL.
mkdir -p "$1/logs"
python3 -c 'import sys; open(sys.argv[1], "wb").write("login ok user=nobom.parent@mail.com\n".encode("utf-16-le") * 20)' "$1/logs/app.log"
printf 'nobom.parent@mail.com\n' > "$2/values"
