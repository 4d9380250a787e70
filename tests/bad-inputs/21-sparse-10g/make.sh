# 10 GB of holes: must be streamed (peak memory bounded), never allocated.
mkdir -p "$1/data"
truncate -s 10G "$1/data/disk.img" || { echo "cannot make a sparse file here"; exit 77; }
