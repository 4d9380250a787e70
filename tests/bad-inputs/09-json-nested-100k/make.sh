# One pretty-printed JSON document nested 100,000 deep, after a good member
# (several lines, so it is sniffed as a document, not as JSON Lines).
mkdir -p "$1/kidconnect"
python3 - "$1/kidconnect/export.json" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('{\n  "parent": {"email": "deep.parent@mail.com"},\n  "thread":\n')
    f.write("[\n" * 100000 + "]\n" * 100000)
    f.write("}\n")
PY
printf 'deep.parent@mail.com\n' > "$2/values"
