head -c 4096 /dev/urandom > "$2/baseline.json"
