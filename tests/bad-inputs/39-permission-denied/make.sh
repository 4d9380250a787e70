# Unreadable file and directory: root reads through modes, so skip as root.
if [ "$(id -u)" -eq 0 ]; then echo "running as root: permissions do not stop root"; exit 77; fi
mkdir -p "$1/db" "$1/locked"
printf 'email\nlocked.parent@mail.com\n' > "$1/db/users.csv"
printf 'x\n' > "$1/locked/inside.log"
chmod 000 "$1/db/users.csv" "$1/locked"
