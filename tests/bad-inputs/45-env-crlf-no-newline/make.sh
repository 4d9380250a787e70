# A .env with CR LF line ends and no newline after the last line.
mkdir -p "$1/config"
printf 'APP_ENV=production\r\nDB_PASSWORD=Sup3rS3cretPw!\r\nSUPPORT=crlf.parent@mail.com' > "$1/config/.env"
printf 'Sup3rS3cretPw!\ncrlf.parent@mail.com\n' > "$2/values"
