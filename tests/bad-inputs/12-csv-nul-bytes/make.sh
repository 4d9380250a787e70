# NUL bytes inside cells and a row of nothing but NULs.
mkdir -p "$1/export"
printf 'email,password\nnul.parent@mail.com,pass\0word1\n\0\0\0,\0\nnul2.parent@mail.com,plain\0text9\n' > "$1/export/accounts.csv"
printf 'nul.parent@mail.com\nnul2.parent@mail.com\n' > "$2/values"
