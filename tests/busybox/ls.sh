# ls: names, kinds, modes and sizes (not owners or dates, which differ by machine).
mkdir sub
printf 'twelve bytes' > twelve
chmod 640 twelve
ln -s twelve link
: > empty
ls
ls -a | tr '\n' ' '; echo
ls -l | awk 'NR > 1 { print $1, /^d/ ? "dir" : $5, $9, $10, $11 }'    # a directory's size is the file system's
ls -d sub/ && ls -F | tr '\n' ' '; echo
