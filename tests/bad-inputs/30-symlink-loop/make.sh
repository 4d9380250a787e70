# Links in loops: to each other, to themselves, and directory links upwards.
cd "$1" || exit 1
mkdir -p loops/d
ln -s loop-b loops/loop-a; ln -s loop-a loops/loop-b     # two links to each other
ln -s self loops/self                                    # a link to itself
ln -s .. loops/d/up                                      # a directory link upwards
ln -s ../../loops loops/d/again
