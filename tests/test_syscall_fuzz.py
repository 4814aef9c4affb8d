"""tests/test_syscall_fuzz.py: a bounded pass of the system-call fuzzer (user/syscall_fuzz.c)
as the first process: with page-table isolation on and off, on a CPU without SMEP or SMAP,
and with two threads in each child on two CPUs, each from its own seed. Each must make its calls, get every frame back, and still run a
program afterwards; the kernel must not panic. `make fuzz-syscalls` runs a long pass."""
import re

import pytest

import ktap
from conftest import explain
from twofold_qemu import STATUS_OK

CALLS = 250000
# (cpu, isolation, seed, CPUs, threads in each child)
RUNS = [("max", "kpti=on", 1, 1, 1), ("max", "kpti=off", 2, 1, 1), ("qemu64", "kpti=on", 3, 1, 1),
        ("max", "kpti=on", 4, 2, 2)]


@pytest.mark.parametrize("cpu,kpti,seed,smp,threads", RUNS,
                         ids=[f"{cpu}-{kpti}{f'-smp{smp}-threads{threads}' if smp > 1 else ''}"
                              for cpu, kpti, _, smp, threads in RUNS])
def test_random_system_calls_leave_the_kernel_whole(boot, cpu, kpti, seed, smp, threads):
    result = boot(f"quiet {kpti} init=/syscall_fuzz calls={CALLS} seed={seed} threads={threads}", cpu, smp=smp)
    planned, results = ktap.parse(result.serial)
    assert planned == 3 and sorted(results) == ["a_program_still_runs", "calls_made", "frames_all_returned"], \
        explain(result)
    failed = [name for name, r in results.items() if not r.ok]
    assert not failed, f"{failed}: " + explain(result)
    made = int(re.search(r"^# (\d+) calls in \d+ children", result.serial, re.M).group(1))
    assert ", 0 not started)" in result.serial, explain(result)
    assert made >= CALLS, explain(result)
    assert result.status == STATUS_OK, explain(result)
