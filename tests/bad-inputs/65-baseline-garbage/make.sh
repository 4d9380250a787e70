# Random bytes where a baseline is expected.
head -c 4096 /dev/urandom > "$2/baseline.json"
