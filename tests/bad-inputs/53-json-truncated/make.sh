# Two JSON documents cut short: a pretty-printed export larger than the
# sniffing window (read as JSON until the cut), and a one-line one (which
# does not parse as JSON, so it is read as text to its end).
mkdir -p "$1/kidconnect"
python3 - "$1/kidconnect" <<'PY'
import json, os, sys
d = {"threads": [{"parent": {"email": "trunc%03d.parent@mail.com" % i},
                  "messages": [{"body": "see you at the gate %d" % i, "from": "mum"}]}
                 for i in range(300)]}
s = json.dumps(d, indent=2)
open(os.path.join(sys.argv[1], "export.json"), "w").write(s[: len(s) * 2 // 3])
open(os.path.join(sys.argv[1], "small.json"), "w").write(
    '{"threads": [{"parent": {"email": "small.parent@mail.com"}}, {"body": "bring the sig')
PY
printf 'trunc000.parent@mail.com\nsmall.parent@mail.com\n' > "$2/values"
