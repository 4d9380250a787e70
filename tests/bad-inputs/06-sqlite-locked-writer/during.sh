# A live application: holds BEGIN EXCLUSIVE (rows written, not committed)
# for the whole scan; the runner stops it after the scan.
exec python3 - "$1/db/users.sqlite" "$2/ready" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=1)
db.execute("BEGIN EXCLUSIVE")
db.execute("INSERT INTO users (email, password) VALUES ('late@mail.com', 'uncommitted1')")
open(sys.argv[2], "w").close()
time.sleep(120)
PY
