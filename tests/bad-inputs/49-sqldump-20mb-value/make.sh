# A dump whose first row holds a 20 MB value (past --max-record).
mkdir -p "$1/backup"
python3 - "$1/backup/dump.sql" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("CREATE TABLE `users` (`id` int, `email` varchar(255), `avatar` longtext);\n")
    f.write("INSERT INTO `users` VALUES (1,'blob.parent@mail.com','")
    chunk = "A" * (1 << 20)
    for _ in range(20):
        f.write(chunk)
    f.write("'),(2,'next.parent@mail.com','');\n")
PY
printf 'blob.parent@mail.com\nnext.parent@mail.com\n' > "$2/values"
