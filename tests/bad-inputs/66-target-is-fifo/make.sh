mkfifo "$2/named-pipe.log" || { echo "no mkfifo here"; exit 77; }
