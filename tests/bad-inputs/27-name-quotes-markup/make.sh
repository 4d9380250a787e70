# Quotes, markup, an ampersand entity and backslashes in a file name.
mkdir -p "$1/logs"
printf '%s\n' "login user=quote.name@mail.com" > "$1/logs/\"q\" 'x' <script>alert(1)<\\script> &amp; \\\\.log"
printf 'quote.name@mail.com\n' > "$2/values"
