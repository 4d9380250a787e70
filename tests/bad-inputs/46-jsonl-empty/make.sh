# An empty JSON Lines file.
mkdir -p "$1/kidconnect" && : > "$1/kidconnect/messages.jsonl"
