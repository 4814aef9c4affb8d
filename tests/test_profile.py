"""tests/test_profile.py: `make profile` (tools/profile.py, tools/gdb/stages.py). One getpid and
one switch between two yielding processes are single-stepped under QEMU's GDB stub, with
isolation on and off; every stage must be there with the functions that belong to it, the
stages must add up to the total, and isolation must cost instructions in the stubs."""
import re
import subprocess
import sys

import pytest

from conftest import INITRD, KERNEL, ROOT

STAGE = re.compile(r"^  (\S+(?: \S+)?)\s+(\d+)   (.*)$")


@pytest.fixture(scope="module")
def profile():
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "profile.py"), "--kernel", str(KERNEL),
                          "--initrd", str(INITRD)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    runs, current = {}, None
    for line in run.stdout.splitlines():
        if line.startswith("== kpti="):
            kpti = line.split()[1].split("=")[1].rstrip(",")
        elif ": tf-profile: " in line:
            what = line.split(":")[0]
            total = int(re.search(r": (\d+) instructions$", line).group(1))
            current = runs[(kpti, what)] = {"total": total, "stages": {}}
        elif (m := STAGE.match(line)) and current is not None:
            current["stages"][m.group(1)] = (int(m.group(2)), m.group(3))
    return runs


@pytest.mark.parametrize("kpti", ["on", "off"])
def test_a_getpid_has_every_stage(profile, kpti):
    run = profile[(kpti, "syscall_getpid")]
    stages = run["stages"]
    assert list(stages) == ["SYSCALL", "entry stub", "dispatch", "handler", "exit work", "return stub"]
    assert sum(n for n, _ in stages.values()) == run["total"]
    assert "sys_getpid" in stages["handler"][1]
    # The fast way out: the dispatcher's one test found no work, and called nothing.
    assert [part.split()[0] for part in stages["exit work"][1].split(", ")] == ["syscall_dispatch"], stages


@pytest.mark.parametrize("kpti", ["on", "off"])
def test_a_yield_switches_to_the_other_process(profile, kpti):
    run = profile[(kpti, "sched_yield_2 (one switch)")]
    stages = run["stages"]
    assert sum(n for n, _ in stages.values()) == run["total"]
    assert "context_switch" in stages["switch"][1] and "schedule" in stages["handler"][1]


def test_isolation_costs_instructions_in_the_stubs(profile):
    on, off = (profile[(kpti, "syscall_getpid")]["stages"] for kpti in ("on", "off"))
    assert on["entry stub"][0] > off["entry stub"][0] and on["return stub"][0] > off["return stub"][0]
    assert on["handler"] == off["handler"]          # the C code does not know
