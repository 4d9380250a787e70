# A rule file past the 4 MiB limit.
python3 -c 'import sys; open(sys.argv[1], "w").write("pack: big\n#" + "x" * (5 << 20) + "\nrules: []\n")' "$2/big.yml"
