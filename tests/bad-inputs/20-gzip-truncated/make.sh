# A gzip CSV export cut at two thirds.
mkdir -p "$1/backup"
python3 - "$1/backup/users.csv.gz" <<'PY'
import gzip, io, sys
rows = ["email,password"] + ["gz.parent%04d@mail.com,secret%04d" % (i, i) for i in range(5000)]
data = gzip.compress(("\n".join(rows) + "\n").encode(), mtime=0)
open(sys.argv[1], "wb").write(data[: len(data) * 2 // 3])
PY
printf 'gz.parent0000@mail.com\nsecret0000\n' > "$2/values"
