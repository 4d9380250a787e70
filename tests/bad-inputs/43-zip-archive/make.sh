# A real zip of a CSV with addresses and passwords.
mkdir -p "$1/backup"
python3 - "$1/backup/export.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("users.csv", "email,password\nzip.parent@mail.com,sunshine1\n" * 200)
PY
printf 'zip.parent@mail.com\n' > "$2/values"
