# Directories named like a database and a JSON Lines file.
mkdir -p "$1/db/users.sqlite/inner.jsonl"
printf 'login user=in.dir@mail.com\n' > "$1/db/users.sqlite/notes.log"
printf 'in.dir@mail.com\n' > "$2/values"
