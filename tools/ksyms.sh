#!/bin/sh
# tools/ksyms.sh ELF: print, as GNU assembler source, the .ksyms table that kernel/ksyms.c
# searches: a count, then (address, name) pairs for every function in ELF, sorted by address.
set -eu
nm -n --defined-only "$1" | awk 'BEGIN { n = 0 }
    $2 ~ /^[tTwW]$/ { addr[n] = $1; name[n] = $3; n++ }
    END {
        print "\t.section .ksyms, \"a\""
        print "\t.balign 8"
        printf "\t.quad %d\n", n
        for (i = 0; i < n; i++) printf "\t.quad 0x%s, .Lname%d\n", addr[i], i
        for (i = 0; i < n; i++) printf ".Lname%d:\t.asciz \"%s\"\n", i, name[i]
    }'
