# Random bytes named .sqlite: content wins over the name (sniff.h), and
# uniform random bytes are ciphertext, which has no records to read.
mkdir -p "$1/db" && head -c 65536 /dev/urandom > "$1/db/users.sqlite"
