# A gzip file inside a gzip file.
mkdir -p "$1/backup"
python3 - "$1/backup/users.csv.gz.gz" <<'PY'
import gzip, sys
inner = gzip.compress(b"email\ndouble.parent@mail.com\n", mtime=0)
open(sys.argv[1], "wb").write(gzip.compress(inner, mtime=0))
PY
printf 'double.parent@mail.com\n' > "$2/values"
