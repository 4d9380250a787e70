# Invalid UTF-8 in keys and values, and an escaped lone surrogate.
mkdir -p "$1/kidconnect"
printf '{"body":"bad \xc0\xaf bytes","email":"utf8.a@mail.com"}\n{"b\xffody":"\xed\xa0\x80","email":"utf8.b@mail.com"}\n{"body":"\\ud800 lone surrogate escape","email":"utf8.c@mail.com"}\n' > "$1/kidconnect/chat.jsonl"
printf 'utf8.a@mail.com\nutf8.b@mail.com\nutf8.c@mail.com\n' > "$2/values"
