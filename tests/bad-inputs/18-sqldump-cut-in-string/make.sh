# A MySQL dump that stops inside a quoted value.
mkdir -p "$1/backup"
{
  printf -- '-- MySQL dump 10.13\n'
  printf 'CREATE TABLE `users` (`id` int, `email` varchar(255), `password` varchar(64));\n'
  printf "INSERT INTO \`users\` VALUES (1,'dump.parent@mail.com','sunshine1'),(2,'cut.parent@mail.com','half a passw"
} > "$1/backup/learninglodge.sql"
printf 'dump.parent@mail.com\ncut.parent@mail.com\nsunshine1\n' > "$2/values"
