# A JSON Lines file of blank lines only (spaces, CR LF, a tab).
mkdir -p "$1/kidconnect"
printf '\n\n   \n\r\n\t\n\n' > "$1/kidconnect/messages.jsonl"
