# The magic is right, the header after it is garbage (page size, versions).
tree=$1
mkdir -p "$tree/db"
python3 - "$tree/db/users.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, password TEXT)")
db.executemany("INSERT INTO users (email, password) VALUES (?, ?)",
               [("parent%04d@mail.com" % i, "hunter%04d" % i) for i in range(300)])
db.commit(); db.close()
with open(sys.argv[1], "r+b") as f:
    f.seek(16)
    f.write(bytes([0x13, 0x37, 0xff, 0xfe, 0x00, 0x00]) + b"\xa5" * 78)
PY
