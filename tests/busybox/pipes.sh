# Pipes and redirection.
printf 'one\ntwo\nthree\n' | grep t | wc -l
echo out > file 2>&1
cat < file
echo err 1>&2 2>/dev/null
{ echo to-stderr >&2; } 2>&1 | tr a-z A-Z
cat <<END
here $((1 + 1))
END
seq 1 5 | while read n; do echo "n=$n"; done | tail -n 2
echo first > f; echo second >> f; cat f
exec 3> g; echo through-3 >&3; exec 3>&-; cat g
yes | head -n 3
