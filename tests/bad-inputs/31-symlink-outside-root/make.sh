# Links that leave the root: to a secret file, and to a directory of them.
mkdir -p "$2/outside" "$1/export"
printf 'secret_answer,email\nRexTheDog,outside.secret@mail.com\n' > "$2/outside/leak.csv"
ln -s "$2/outside/leak.csv" "$1/export/escape.csv"
ln -s "$2/outside" "$1/export/outside-dir"
ln -s ../../outside/leak.csv "$1/export/relative-escape.csv"
printf 'outside.secret@mail.com\nRexTheDog\n' > "$2/values"
