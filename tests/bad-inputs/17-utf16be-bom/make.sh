# A log written as UTF-16BE with a BOM.
mkdir -p "$1/logs"
python3 - "$1/logs/app.log" <<'PY'
import sys
text = "2015-11-14 login ok user=utf16be.parent@mail.com\n"
open(sys.argv[1], "wb").write(b"\xfe\xff" + text.encode("utf-16-be"))
PY
printf 'utf16be.parent@mail.com\n' > "$2/values"
