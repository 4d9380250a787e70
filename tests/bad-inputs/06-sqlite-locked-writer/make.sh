# A users table with committed rows; during.sh then locks it.
mkdir -p "$1/db"
python3 - "$1/db/users.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, password TEXT)")
db.executemany("INSERT INTO users (email, password) VALUES (?, ?)",
               [("parent%04d@mail.com" % i, "hunter%04d" % i) for i in range(50)])
db.commit(); db.close()
PY
