mkdir -p "$1/kidconnect" && : > "$1/kidconnect/messages.jsonl"
