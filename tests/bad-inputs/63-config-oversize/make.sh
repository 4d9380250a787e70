# A .plainsight.yml past the 1 MiB config limit (a comment, so only the
# size is wrong).
python3 -c 'import sys; open(sys.argv[1], "w").write("#" + "x" * (2 << 20) + "\n")' "$1/.plainsight.yml"
