# A .plainsightignore line longer than the 4096-byte pattern limit.
python3 -c 'import sys; open(sys.argv[1], "w").write("logs/\n" + "*" * 5000 + "\n")' "$1/.plainsightignore"
