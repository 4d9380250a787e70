"""Every sensitive value in a VTech fixture tree, one per line, raw and
HTML-escaped: emails, names, passwords, answers, addresses, IPs, birthdates,
card numbers and message bodies.  The privacy tests grep reports for these;
none may appear unless --show-values is given.

usage: python3 fixture-values.py TREE [RULES_DIR]

Values that also occur in the rule packs' own text (a parent whose password
is literally "password") are left out: the report prints rule ids and
titles, so finding such a word there proves nothing.
"""
import csv, glob, html, json, os, re, sys

root = sys.argv[1]
vals = set()
COLS = {"email", "password", "secret_answer", "first_name", "last_name", "address",
        "ip", "name", "birthdate", "card_number",
        "courriel", "mot_de_passe", "prenom", "nom", "adresse", "date_de_naissance",
        "passwort", "vorname", "nachname", "geburtsdatum"}

def add(v):
    v = (v or "").strip()
    if len(v) >= 4:
        vals.add(v)
        vals.add(html.escape(v, quote=True).replace("&#x27;", "&#39;"))

def rows(path, delim):
    with open(path, newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f, delimiter=delim)

for pattern, delim in (("export/*.csv", ","), ("export/fr/*.csv", ";"),
                       ("export/de/*.tsv", "\t"), ("staging/*.csv", ",")):
    for path in glob.glob(os.path.join(root, pattern)):
        for row in rows(path, delim):
            for k, v in row.items():
                if k in COLS:
                    add(v)

for path in glob.glob(os.path.join(root, "kidconnect", "*.jsonl")):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                add(json.loads(line).get("body"))

def walk(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "body" and isinstance(v, str):
                add(v)
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)

for path in glob.glob(os.path.join(root, "kidconnect", "*.json")):
    with open(path, encoding="utf-8") as f:
        walk(json.load(f))

email = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
for path in [os.path.join(root, "logs", "app.log")] + glob.glob(os.path.join(root, "mail", "*.mbox")):
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for m in email.finditer(f.read()):
                add(m.group(0))

vocabulary = ""
if len(sys.argv) > 2:
    for path in glob.glob(os.path.join(sys.argv[2], "*.yml")):
        with open(path, encoding="utf-8") as f:
            vocabulary += f.read()
for v in sorted(vals):
    if v not in vocabulary:
        print(v)
