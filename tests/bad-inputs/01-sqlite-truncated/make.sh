# A Learning Lodge users table, cut in half as a failed copy would leave it.
tree=$1
mkdir -p "$tree/db"
python3 - "$tree/db/users.sqlite" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, password TEXT, note TEXT)")
db.executemany("INSERT INTO users (email, password, note) VALUES (?, ?, ?)",
               [("parent%04d@mail.com" % i, "hunter%04d" % i, "x" * 200) for i in range(2000)])
db.commit(); db.close()
size = os.path.getsize(sys.argv[1])
os.truncate(sys.argv[1], size // 2 + 517)  # not on a page boundary
PY
