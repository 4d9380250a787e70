# A 5 MB log; during.sh grows it for the whole scan.
mkdir -p "$1/logs"
python3 - "$1/logs/live.log" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        f.write("2015-11-14T10:22:01Z INFO heartbeat seq=%06d ok\n" % i)
PY
