# Traps and signals.
trap 'echo caught INT' INT
kill -INT $$
trap - INT
trap 'echo at exit' EXIT
sh -c 'kill -TERM $$'; echo "killed: $?"
sh -c 'trap "echo term in child; exit 4" TERM; kill -TERM $$; sleep 1'; echo "child $?"
echo before exit
