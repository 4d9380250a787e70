# Listening Unix sockets, one named like a JSON Lines file.
mkdir -p "$1/run"
python3 - "$1/run/app.sock" "$1/run/users.jsonl" <<'PY' || { echo "no unix sockets here"; exit 77; }
import socket, sys
for p in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX)
    s.bind(p)
    s.listen(1)   # a listening socket: a reader that connected would wait
PY
