# Delete every other file, paced over the scan, in the order the scan reads
# them, after the walk has listed them.
touch "$2/ready"
exec python3 - "$1/logs" <<'PY'
import os, sys, time
root = sys.argv[1]
time.sleep(0.05)
for d in sorted(os.listdir(root)):
    for name in sorted(os.listdir(os.path.join(root, d)))[::2]:
        try:
            os.unlink(os.path.join(root, d, name))
        except FileNotFoundError:
            pass
        time.sleep(0.0005)
PY
