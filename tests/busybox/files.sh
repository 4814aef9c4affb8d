# Files and directories: made, copied, moved, linked, tested, removed.
echo hello > a
cat a
cp a b && cat b
mv b c && test ! -e b && cat c
echo more >> c
wc -l < c
mkdir -p d/e/f && test -d d/e/f && echo made
ln -s ../a d/link
cat d/link
readlink d/link
test -L d/link && echo is-a-link
touch d/e/empty
test -s d/e/empty || echo empty
rmdir d/e/f
rm -r d
test -e d || echo gone
ln a hard
echo changed > hard
cat a
rm a hard c
ls
