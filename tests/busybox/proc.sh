# /proc through busybox's tools: what does not depend on the machine.
cat /proc/self/comm
cat /proc/self/cmdline | tr '\0' ' '; echo
grep -c '^MemTotal:' /proc/meminfo
free | head -n 1 | awk '{ print $1, $2, $3 }'
ps -o pid,comm | head -n 1
sh -c 'ps -o pid,comm | grep -c "^ *$$ "'
test "$(readlink /proc/self)" -gt 0 && echo self-is-a-pid
grep -q ' /proc proc ' /proc/mounts && echo proc-is-mounted
df / | tail -n 1 | awk '{ print $NF }'
df /proc | tail -n 1 | awk '{ print $1, $NF }'
top -b -n 1 | head -n 3 | awk '{ print $1 }'
top -b -n 1 | grep -c '^  PID  PPID USER'
uptime | grep -c 'load average:'
