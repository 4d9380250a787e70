# One line in ISO-8859-1 ("réussie", "café crème"): bytes 0xE9 and 0xE8 are
# not valid UTF-8.  Made here, not committed under input/: the tree ignores
# *.log files, and printf keeps the exact bytes.
mkdir -p "$1/logs"
printf '2015-11-14 connexion r\xe9ussie pour latin1.parent@mail.com (caf\xe9 cr\xe8me)\n' > "$1/logs/app.log"
