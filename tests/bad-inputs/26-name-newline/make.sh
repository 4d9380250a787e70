# A name that, printed raw, would forge a line of the text report.
mkdir -p "$1/logs"
printf '%s\n' "login user=newline.name@mail.com" > "$1/logs/a
INJECTED  vtech.fake  all clear.log"
printf 'newline.name@mail.com\n' > "$2/values"
