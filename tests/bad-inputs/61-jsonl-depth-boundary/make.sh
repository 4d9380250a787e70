# Nesting at the JSON Lines reader's limit (256 levels) and one past it.
mkdir -p "$1/kidconnect"
python3 - "$1/kidconnect/deep.jsonl" <<'PY'
import sys
def nest(n, email):
    return '{"a":' * (n - 1) + '{"email":"%s"}' % email + "}" * (n - 1)
with open(sys.argv[1], "w") as f:
    f.write(nest(256, "at.limit@mail.com") + "\n")
    f.write(nest(257, "past.limit@mail.com") + "\n")
PY
printf 'at.limit@mail.com\npast.limit@mail.com\n' > "$2/values"
