# 3,000 files of about 40 KB; during.sh removes them while they are scanned.
python3 - "$1/logs" <<'PY'
import os, sys
line = "2015-11-14T10:22:01Z INFO login ok user=gone%04d@mail.com ip=10.1.2.3\n"
for d in range(30):
    p = os.path.join(sys.argv[1], "d%02d" % d)
    os.makedirs(p)
    for i in range(100):
        with open(os.path.join(p, "app-%03d.log" % i), "w") as f:
            f.write((line % (d * 100 + i)) * 520)
PY
