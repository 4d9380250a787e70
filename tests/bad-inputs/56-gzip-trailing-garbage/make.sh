# A complete gzip member followed by bytes that are not another member.
mkdir -p "$1/backup"
python3 - "$1/backup/app.log.gz" <<'PY'
import gzip, os, sys
data = gzip.compress(b"login ok user=gztail.parent@mail.com\n" * 10, mtime=0)
open(sys.argv[1], "wb").write(data + b"\x00\x01garbage" + os.urandom(100))
PY
printf 'gztail.parent@mail.com\n' > "$2/values"
