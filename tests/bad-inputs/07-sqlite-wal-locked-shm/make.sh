# An empty users table in WAL mode; during.sh commits rows to the -wal only.
mkdir -p "$1/db"
python3 - "$1/db/users.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, password TEXT)")
db.commit(); db.close()   # checkpointed: the main file has the schema only
PY
