# An empty file named like a database: nothing to read, nothing to report.
mkdir -p "$1/db" && : > "$1/db/users.sqlite"
