# A JSON document with one 10 MB string (under the 16 MiB default), then
# an address.
mkdir -p "$1/kidconnect"
python3 - "$1/kidconnect/export.json" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('{"attachment": "')
    chunk = "QUJD" * (1 << 18)
    for _ in range(10):
        f.write(chunk)
    f.write('", "parent": {"email": "after.blob@mail.com"}}\n')
PY
printf 'after.blob@mail.com\n' > "$2/values"
