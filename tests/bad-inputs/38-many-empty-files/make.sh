# 100,000 empty files in 100 folders.  No timing is asserted: the runner's
# timeout is the only bound.
python3 - "$1/empty" <<'PY'
import os, sys
for d in range(100):
    p = os.path.join(sys.argv[1], "d%03d" % d)
    os.makedirs(p)
    for i in range(1000):
        os.close(os.open(os.path.join(p, "f%04d.log" % i), os.O_CREAT | os.O_WRONLY, 0o600))
PY
