# A rule whose regex backtracks exponentially in a backtracking engine, and
# a 1 MB run of the letter it loops on.
mkdir -p "$2/rules" "$1/data"
cp "$top_srcdir/rules/vtech.yml" "$2/rules/"
cat > "$2/rules/evil.yml" <<'YML'
pack: evil
rules:
  - id: evil.alternation
    title: Alternation that backtracks
    explain: A pathological pattern.
    fix: None.
    category: plaintext-pii
    severity: low
    when:
      value: '(a|aa)+$'
YML
python3 -c 'import sys; open(sys.argv[1], "w").write("a" * (1 << 20) + "b\n")' "$1/data/aaaa.txt"
