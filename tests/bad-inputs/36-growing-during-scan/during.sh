# Grow the file for the whole scan, faster than anything can read it: a
# line appended, then 16 MiB of hole, a thousand times a second (holes
# keep the disk use small).  A reader that chases the end never finishes;
# one that reads up to the size it saw at open does.
touch "$2/ready"
exec python3 - "$1/logs/live.log" <<'PY'
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)
line = b"2015-11-14T10:22:01Z INFO login ok user=growing.parent@mail.com\n"
while True:
    os.write(fd, line)
    os.ftruncate(fd, os.fstat(fd).st_size + (16 << 20))
    time.sleep(0.001)
PY
