# The 16-byte magic and nothing else.
mkdir -p "$1/db"
printf 'SQLite format 3\0' > "$1/db/users.sqlite"
