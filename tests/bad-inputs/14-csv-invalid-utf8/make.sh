# Overlong forms, a lone surrogate and 0xff in the header and in cells.
mkdir -p "$1/export"
printf 'em\xc0\xafail,pass\xffword,first_name\nbad.csv@mail.com,\xed\xa0\x80secret99,\xe0\x80\xafAnn\nok.csv@mail.com,letmein7,Bob\n' > "$1/export/parents.csv"
printf 'bad.csv@mail.com\nok.csv@mail.com\nletmein7\n' > "$2/values"
