# FIFOs with no writer, one of them named like a database.
mkdir -p "$1/db" "$1/logs"
mkfifo "$1/db/users.sqlite" "$1/logs/app-live.log" || { echo "no mkfifo here"; exit 77; }
