# Excel's "Unicode text" export: UTF-16LE with a BOM.
mkdir -p "$1/export"
python3 - "$1/export/parents.csv" <<'PY'
import sys
text = "email,password\nutf16le.parent@mail.com,hunter22\n"
open(sys.argv[1], "wb").write(b"\xff\xfe" + text.encode("utf-16-le"))
PY
printf 'utf16le.parent@mail.com\n' > "$2/values"
