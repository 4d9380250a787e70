# A FIFO outside the tree, named on the command line.
mkfifo "$2/named-pipe.log" || { echo "no mkfifo here"; exit 77; }
