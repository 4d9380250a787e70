# A header of 100,000 columns (past the 65,536 names kept); the address is
# in the last column.
mkdir -p "$1/export"
python3 - "$1/export/wide.csv" <<'PY'
import sys
n = 100000
with open(sys.argv[1], "w") as f:
    f.write(",".join("c%d" % i for i in range(n - 1)) + ",email\n")
    f.write("," * (n - 1) + "wide.parent@mail.com\n")
PY
printf 'wide.parent@mail.com\n' > "$2/values"
