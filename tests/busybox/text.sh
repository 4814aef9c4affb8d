# Text tools: sort, uniq, sha256sum, find, grep, sed, cut, tr, awk, head, tail.
printf 'pear\napple\nfig\napple\n' > fruit
sort fruit | uniq -c | sed 's/^ *//'
sort -r fruit | head -n 1
printf 'abc' | sha256sum
sha256sum fruit
mkdir -p tree/a tree/b && touch tree/a/x.c tree/b/y.c tree/b/z.h
find tree -name '*.c' | sort
find tree -type d | sort
grep -n apple fruit
echo 'a:b:c' | cut -d: -f2
echo hello | tr a-y b-z
printf '1 2\n3 4\n' | awk '{ s += $1 * $2 } END { print s }'
seq 10 | tail -n 3 | tr '\n' ' '; echo
