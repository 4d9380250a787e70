# A 50 MB line (past the 16 MiB default --max-record) between good lines.
mkdir -p "$1/kidconnect"
python3 - "$1/kidconnect/chat.jsonl" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('{"body":"see you soon","email":"before.big@mail.com"}\n')
    f.write('{"body":"')
    chunk = "z" * (1 << 20)
    for _ in range(50):
        f.write(chunk)
    f.write('"}\n')
    f.write('{"body":"after the big one","email":"after.big@mail.com"}\n')
PY
printf 'before.big@mail.com\nafter.big@mail.com\n' > "$2/values"
