"""tests/test_syscall_table.py: the one table of system calls (kernel/syscall/calls.def).
Its numbers are in order and unique, Linux's are Linux's own (as musl's <sys/syscall.h> has
them), every handler it names is in the kernel, and the user header (user/include/twofold.h)
gives Twofold's own calls the table's numbers: a program built against it prints them."""
import re
import subprocess

from conftest import KERNEL, ROOT

TABLE = ROOT / "kernel" / "syscall" / "calls.def"
LINE = re.compile(r"^(LINUX|TWOFOLD)\((\d+), (\w+), (\w+)\)", re.M)


def table():
    """[(kind, number, name, handler)] in the table's order."""
    return [(kind, int(number), name, handler) for kind, number, name, handler in LINE.findall(TABLE.read_text())]


def test_numbers_are_in_order_and_unique_and_twofolds_from_1024():
    rows = table()
    numbers = [number for _, number, _, _ in rows]
    assert numbers == sorted(set(numbers)), numbers
    assert len({name for _, _, name, _ in rows}) == len(rows)
    for kind, number, name, _ in rows:
        assert (number >= 1024) == (kind == "TWOFOLD"), name


def test_every_handler_is_in_the_kernel():
    out = subprocess.run(["nm", str(KERNEL)], check=True, capture_output=True, text=True).stdout
    defined = {line.split()[2] for line in out.splitlines() if len(line.split()) == 3 and line.split()[1] == "T"}
    assert {handler for *_, handler in table()} <= defined


def numbers_from(tmp_path, includes, rows, prefix):
    """Build and run a musl program printing PREFIX+name for each of rows."""
    source = tmp_path / "numbers.c"
    lines = "".join(f'    printf("{name}=%ld\\n", (long){prefix}{name});\n' for _, _, name, _ in rows)
    source.write_text(f"#include <stdio.h>\n{includes}\nint main(void)\n{{\n{lines}    return 0;\n}}\n")
    binary = tmp_path / "numbers"
    subprocess.run(["musl-gcc", "-static", "-I", str(ROOT / "user" / "include"), "-I", str(TABLE.parent),
                    "-o", str(binary), str(source)], check=True)
    out = subprocess.run([str(binary)], check=True, capture_output=True, text=True).stdout
    return dict((name, int(number)) for name, number in (line.split("=") for line in out.split()))


def test_linux_numbers_are_linuxs(tmp_path):
    rows = [row for row in table() if row[0] == "LINUX"]
    assert numbers_from(tmp_path, "#include <sys/syscall.h>", rows, "SYS_") == {name: n for _, n, name, _ in rows}


def test_the_user_header_numbers_twofolds_own_calls_as_the_table_does(tmp_path):
    rows = [row for row in table() if row[0] == "TWOFOLD"]
    assert numbers_from(tmp_path, '#include "twofold.h"', rows, "SYS_") == {name: n for _, n, name, _ in rows}
