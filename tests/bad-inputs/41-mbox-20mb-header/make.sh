# Two messages; the first has a 20 MB header line (past --max-record).
mkdir -p "$1/mail"
python3 - "$1/mail/support.mbox" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("From parent@example.org Sat Nov 14 10:22:01 2015\n")
    f.write("From: Big Header <big.header@mail.com>\nSubject: hello\nX-Junk: ")
    chunk = "h" * (1 << 20)
    for _ in range(20):
        f.write(chunk)
    f.write("\n\nMy son's password is sunshine1\n\n")
    f.write("From mum@example.org Sat Nov 14 10:23:01 2015\n")
    f.write("From: Second Parent <second.parent@mail.com>\nSubject: login\n\n")
    f.write("Please reset the account of second.parent@mail.com\n")
PY
printf 'big.header@mail.com\nsecond.parent@mail.com\n' > "$2/values"
