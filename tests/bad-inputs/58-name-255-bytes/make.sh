# The longest name most file systems allow, in a folder whose name is
# just as long.
mkdir -p "$1/logs"
long=$(printf 'n%.0s' $(seq 1 251))
mkdir -p "$1/logs/$long"
printf 'login user=long.name@mail.com\n' > "$1/logs/$long/$long.log" || { echo "no 255-byte names here"; exit 77; }
printf 'long.name@mail.com\n' > "$2/values"
