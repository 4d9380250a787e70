# Three lines; the middle one is about 2 KB, over --max-record 1024.  Made
# here, not committed under input/: the tree ignores *.log files.
mkdir -p "$1/logs"
{
  printf 'short line user=short.parent@mail.com\n'
  printf 'long line %s user=long.parent@mail.com\n' "$(printf '0%.0s' $(seq 1 2000))"
  printf 'tail user=tail.parent@mail.com\n'
} > "$1/logs/app.log"
