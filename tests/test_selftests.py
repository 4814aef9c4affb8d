"""tests/test_selftests.py: Linux's own x86 selftests (linux-source-6.1's
tools/testing/selftests/x86, built unmodified by tools/selftests.mk) as Twofold's conformance
suite. /run (user/run.c) runs every one as the first process's child, on each CPU model with
page-table isolation on and off; each test in each configuration is a case here, as is each
test on this Linux host, which proves the binaries and their expectations right. A test
passes if it exits 0 and prints no [FAIL] line. Those that need what Twofold does not have
yet are expected failures that say what they lack, and must still fail: one that passes
fails its case, so the list stays true."""
import pathlib
import platform
import re
import subprocess

import pytest

from conftest import BUILD, CPUS, explain

SELFTESTS = BUILD / "selftests"
INITRD = SELFTESTS / "initrd.cpio"
NAMES = (SELFTESTS / "tests.txt").read_text().split() if (SELFTESTS / "tests.txt").exists() else []
# A guard against a hang (syscall_numbering, without ptrace, would wait forever), not a
# measure: /run kills a test still running after this, and the case fails.
PER_TEST_SECONDS = 120

# What each expected failure on Twofold lacks.
MISSING_ON_TWOFOLD = {
    "syscall_numbering": "MAP_SHARED memory and ptrace",
}
# Expected failures on one CPU model only, for QEMU's sake. QEMU 7.2's TCG reads the stack of
# a far return (lretq) from user mode to a 32-bit code segment as a supervisor access, which
# SMAP refuses: a #PF with error code 1 (present, read, supervisor) at a user address, for an
# access that real CPUs make at CPL 3. `max` has SMAP; qemu64 does not, and `-cpu max,-smap`
# passes too.
QEMU_QUIRKS = {
    "max": {"sysret_ss_attrs": "QEMU to read a far return's user stack as user mode (its TCG checks SMAP there)"},
}
# On an Intel CPU, as this host has, SYSENTER in 64-bit mode enters Linux's 32-bit entry, and
# the SIGSEGV that follows goes to an alternate stack the test has just freed: musl's free()
# unmaps it (glibc's keeps it), so Linux kills the test. On QEMU's models (AMD's behaviour)
# SYSENTER is #UD instead, and the tests pass on Twofold.
HOST_IS_INTEL = "GenuineIntel" in pathlib.Path("/proc/cpuinfo").read_text()
MUSL_FREES_THE_ALTSTACK = "musl's free() unmaps the alternate stack its SYSENTER case then needs (Intel CPU)"
FAILING_ON_HOST = {name: MUSL_FREES_THE_ALTSTACK for name in ("single_step_syscall", "mov_ss_trap")} \
    if HOST_IS_INTEL else {}
# A Firecracker guest's kernel (release "...-fc-...") gives mov_ss_trap's breakpoint on MOV SS
# over and over, at the same RIP, until the test is killed: the hypervisor's debug traps.
if "-fc-" in platform.release():
    FAILING_ON_HOST.setdefault("mov_ss_trap", "a host that is not a Firecracker guest (its MOV SS trap repeats forever)")
CONFIGS = [(cpu, kpti) for cpu in CPUS for kpti in ("on", "off")]


def binary(name):
    return f"/selftests/{name}_64"


def verdict(output, ending):
    """Why a test's run failed (its [FAIL] lines, or how it ended), or None if it passed."""
    fails = [line.strip() for line in output.splitlines() if line.startswith("[FAIL]")]
    if ending != "exited with status 0":
        fails.append(ending)
    return "; ".join(fails) or None


def expect(name, why_failed, missing):
    """The case's outcome: pass, an expected failure (xfail) that names what is missing, or a
    failure, also when an expected failure passes."""
    if name in missing:
        if why_failed is None:
            pytest.fail(f"{name} passes: it is no longer an expected failure ({missing[name]})")
        pytest.xfail(f"needs {missing[name]}: {why_failed}")
    assert why_failed is None, why_failed


def runs(serial):
    """{name: (its output, how it ended)} from /run's lines in a serial log."""
    found = {}
    pattern = re.compile(r"^run: /selftests/(\w+)_64: start\n(.*?)^run: /selftests/\1_64: (.*?)\s*$", re.M | re.S)
    for match in pattern.finditer(serial.replace("\r", "")):
        found[match.group(1)] = (match.group(2), match.group(3))
    return found


def boot_selftests(boot, cpu, kpti):
    cmdline = f"quiet kpti={kpti} init=/run -t {PER_TEST_SECONDS} " + " ".join(binary(n) for n in NAMES)
    return boot(cmdline, cpu, initrd=INITRD, timeout=PER_TEST_SECONDS * len(NAMES) + 120)


def test_the_suite_is_there_and_every_expectation_names_a_test():
    assert NAMES, f"no {SELFTESTS / 'tests.txt'}: run the tests through `make test`"
    assert set(MISSING_ON_TWOFOLD) <= set(NAMES) and set(FAILING_ON_HOST) <= set(NAMES)
    assert all(set(quirks) <= set(NAMES) for quirks in QEMU_QUIRKS.values())


@pytest.mark.parametrize("cpu,kpti", CONFIGS, ids=[f"{cpu}-kpti={kpti}" for cpu, kpti in CONFIGS])
@pytest.mark.parametrize("name", NAMES)
def test_selftest_on_twofold(boot, cpu, kpti, name):
    result = boot_selftests(boot, cpu, kpti)
    found = runs(result.serial)
    assert name in found, f"{name} did not run to its end: " + explain(result)
    expect(name, verdict(*found[name]), {**MISSING_ON_TWOFOLD, **QEMU_QUIRKS.get(cpu, {})})


@pytest.mark.parametrize("cpu,kpti", CONFIGS, ids=[f"{cpu}-kpti={kpti}" for cpu, kpti in CONFIGS])
def test_the_kernel_lives_through_the_suite(boot, cpu, kpti):
    result = boot_selftests(boot, cpu, kpti)
    assert "init exited with status 0" in result.serial and result.status == 0, explain(result)


@pytest.mark.parametrize("name", NAMES)
def test_selftest_on_this_host(name):
    program = SELFTESTS / "root" / binary(name).lstrip("/")
    try:
        done = subprocess.run([str(program)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=PER_TEST_SECONDS)
        output = done.stdout.decode(errors="replace")
        ending = (f"exited with status {done.returncode}" if done.returncode >= 0
                  else f"killed by signal {-done.returncode}")
    except subprocess.TimeoutExpired as timeout:
        output, ending = (timeout.stdout or b"").decode(errors="replace"), "timed out"
    expect(name, verdict(output, ending), FAILING_ON_HOST)
