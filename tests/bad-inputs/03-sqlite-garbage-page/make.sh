# One page in the middle of the users table overwritten with random bytes.
tree=$1
mkdir -p "$tree/db"
python3 - "$tree/db/users.sqlite" <<'PY'
import random, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA page_size=4096")
db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, password TEXT, note TEXT)")
db.executemany("INSERT INTO users (email, password, note) VALUES (?, ?, ?)",
               [("parent%04d@mail.com" % i, "hunter%04d" % i, "y" * 100) for i in range(2000)])
db.commit(); db.close()
rnd = random.Random(3)
with open(sys.argv[1], "r+b") as f:
    f.seek(4096 * 5)
    f.write(bytes(rnd.getrandbits(8) for _ in range(4096)))
PY
