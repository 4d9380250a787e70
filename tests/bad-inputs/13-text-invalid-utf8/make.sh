# Overlong encodings, lone surrogates, 5-byte forms, stray continuation
# bytes, and an address after them.
mkdir -p "$1/logs"
printf 'bad \xc0\xaf \xe0\x80\xaf \xed\xa0\x80 \xf8\x88\x80\x80\x80 \x80\xbf \xff\xfe\n2015-11-14 login user=utf8.parent@mail.com \xc3\n\xf4\x90\x80\x80 tail\n' > "$1/logs/app.log"
printf 'utf8.parent@mail.com\n' > "$2/values"
