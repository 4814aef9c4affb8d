# Substitutions, arithmetic, control flow, functions.
x=$(echo inner $(echo nested))
echo "$x"
echo $((7 * 6)) $((17 % 5)) $((1 << 10))
for w in a b c; do printf '%s-' "$w"; done; echo
i=0; while [ $i -lt 3 ]; do i=$((i + 1)); done; echo "i=$i"
case foo.txt in *.txt) echo text ;; *) echo other ;; esac
greet() { echo "hello, $1"; return 3; }
greet world; echo "status $?"
v=${undefined:-default}; echo "$v"
s=abcdef; echo ${#s} ${s#ab} ${s%ef}
set -- p q r; echo "$# $2"
false || echo "or"; true && echo "and"
