# Background jobs, wait and exit statuses.
(exit 3) & pid=$!
wait $pid; echo "status $?"
sleep 0.2 & sleep 0.1 & wait; echo "both done"
(echo from-a-subshell; exit 5); echo "subshell $?"
sh -c 'exit 7'; echo "sh $?"
for n in 1 2 3; do (echo "job $n" > out.$n) & done; wait
cat out.1 out.2 out.3
