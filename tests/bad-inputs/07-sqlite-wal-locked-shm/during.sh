# A live WAL-mode application: rows committed to users.sqlite-wal but not
# checkpointed into the main file, the -shm held open and a write
# transaction pending for the whole scan.
exec python3 - "$1/db/users.sqlite" "$2/ready" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA wal_autocheckpoint=0")
db.execute("BEGIN")
db.executemany("INSERT INTO users (email, password) VALUES (?, ?)",
               [("walparent%04d@mail.com" % i, "walpass%04d" % i) for i in range(50)])
db.execute("COMMIT")
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO users (email, password) VALUES ('late@mail.com', 'uncommitted1')")
open(sys.argv[2], "w").close()
time.sleep(120)
PY
