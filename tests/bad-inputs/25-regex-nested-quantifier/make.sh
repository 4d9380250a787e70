# A nested quantifier (exponential when backtracking) and 1 MB of x with no y.
mkdir -p "$2/rules" "$1/data"
cp "$top_srcdir/rules/vtech.yml" "$2/rules/"
cat > "$2/rules/evil.yml" <<'YML'
pack: evil
rules:
  - id: evil.nested
    title: Nested quantifier
    explain: A pathological pattern.
    fix: None.
    category: plaintext-pii
    severity: low
    when:
      value: '(x+x+)+y'
YML
python3 -c 'import sys; open(sys.argv[1], "w").write("x" * (1 << 20) + "\n")' "$1/data/xxxx.txt"
