# One JSON Lines record nested 100,000 deep between two good records.
mkdir -p "$1/kidconnect"
python3 - "$1/kidconnect/messages.jsonl" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('{"from":"mum","body":"pick you up at 5","email":"first.parent@mail.com"}\n')
    f.write("[" * 100000 + "]" * 100000 + "\n")
    f.write('{"from":"dad","body":"love you","email":"last.parent@mail.com"}\n')
PY
printf 'first.parent@mail.com\nlast.parent@mail.com\n' > "$2/values"
