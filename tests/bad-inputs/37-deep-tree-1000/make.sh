# 1,000 nested directories with a file at the bottom (made one level at a
# time: the tree is deeper than Python's recursion limit).
python3 - "$1" <<'PY'
import os, sys
os.chdir(sys.argv[1])
for _ in range(1000):
    os.mkdir("d")
    os.chdir("d")
with open("deep.log", "w") as f:
    f.write("login user=deep.parent@mail.com\n")
PY
printf 'deep.parent@mail.com\n' > "$2/values"
