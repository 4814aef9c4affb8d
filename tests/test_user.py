"""tests/test_user.py: the user test programs (user/tests/*.c). /testrun runs them all as the
first process, on each CPU model with page-table isolation on and off, on 2 and 4 CPUs with
isolation on and off, and once with the PIT and PIC (no local APIC), and every case of every program is its own test here (found with nm,
so a case that never reports fails by name), as is each program's own result and
frames_all_returned. Which cases skip in each configuration is pinned: a new skip fails. The
same programs also run on this Linux host, where they must pass too (Twofold-only cases
skip, and only those): that proves the tests themselves right."""
import re
import resource
import subprocess

import pytest

import ktap
from conftest import BUILD, CPUS, ROOT, explain
from twofold_qemu import STATUS_OK

USERDIR = BUILD / "user"
PROGRAMS = sorted(p.stem for p in (ROOT / "user" / "tests").glob("*.c"))
# testrun's top-level cases: one per program, then the frame count.
TOP_LEVEL = PROGRAMS + ["frames_all_returned"]
# (cpu, extra command line, CPUs): each CPU model with isolation on and off, 2 and 4 CPUs with
# isolation on and off, and one without a local APIC (the PIT and PIC then give the tick).
KPTI = ("", "kpti=off")
CONFIGS = ([(cpu, extra, 1) for cpu in CPUS for extra in KPTI] + [("max", extra, smp) for smp in (2, 4) for extra in KPTI]
           + [("qemu64,-apic", "", 1)])
CONFIG_IDS = [f"{cpu}{'-' + extra if extra else ''}{f'-smp{smp}' if smp > 1 else ''}" for cpu, extra, smp in CONFIGS]
# A CPU model on which SYSENTER works in 64-bit mode (QEMU follows the vendor: AMD's #UD).
INTEL_CPU = "max,vendor=GenuineIntel"

# The cases that skip, and why, wherever they skip. On QEMU's CPU models (AMD's behaviour)
# SYSENTER is #UD in 64-bit mode; on Intel's (Bochs) SYSCALL is #UD in compatibility mode.
NO_SYSENTER = {case: "SYSENTER raises #UD in 64-bit mode on this CPU" for case in (
    "doors/sysenter_keeps_registers", "doors/sysenter_gives_the_same_results_as_syscall",
    "doors/single_stepping_goes_on_after_sysenter",
    "exits/sysenter_leaves_by_iret", "hardening/sysenter_clears_ac_df_and_nt_for_the_kernel",
    "live_cr3/a_kernel_read_right_after_sysenter_faults")}
LINUX_ONLY = {"numbers/twofold_calls_are_enosys_on_linux": "Linux only: Twofold has them"}
SKIPS_ON_QEMU = {**NO_SYSENTER, **LINUX_ONLY}
# qemu64 has no XSAVE: its signal frames have no XSAVE header to spoil.
NO_XSAVE = {"signals/a_corrupt_xsave_header_is_refused_with_sigsegv":
            "no XSAVE state in the frame: this CPU has no XSAVE"}
SKIPS_ON_INTEL = {"hardening/syscall_from_compat_mode_is_enosys":
                  "SYSCALL is #UD in compatibility mode on this CPU (Intel's)", **LINUX_ONLY}
# On this host: Twofold-only cases, SYSCALL from compatibility mode on an Intel CPU or on a
# Linux that returns it to a 32-bit vDSO the process lacks, and the console's cases (the
# harness gives no terminal).
HOST_SKIP_REASONS = {"Twofold only; this is Linux", "SYSCALL is #UD in compatibility mode on this CPU (Intel's)",
                     "this Linux returns a compat-mode SYSCALL to a 32-bit vDSO the process lacks",
                     "no 32-bit user code segment here (a Linux without IA32 emulation)",
                     "standard input is not this session's terminal"}


# The cases that need two CPUs.
ONE_CPU = {case: "one CPU" for case in (
    "cpus/a_spinning_process_moves_when_its_affinity_changes", "cpus/a_change_made_on_another_cpu_reaches_this_one",
    "shootdown/munmap_reaches_the_threads_on_other_cpus", "shootdown/mprotect_reaches_the_threads_on_other_cpus",
    "shootdown/fork_reaches_a_thread_writing_on_another_cpu")}


def skips_expected(cpu, smp=1):
    """{case: reason} of the cases that skip on a QEMU CPU model with smp CPUs."""
    return {**SKIPS_ON_QEMU, **(NO_XSAVE if cpu.startswith("qemu64") else {}), **(ONE_CPU if smp == 1 else {})}


def case_names(program):
    """The cases of a built test program, from its UTEST utest_case_<name> symbols."""
    binary = USERDIR / "tests" / program
    if not binary.exists():
        return []
    out = subprocess.run(["nm", str(binary)], check=True, capture_output=True, text=True).stdout
    return sorted(line.split()[-1][len("utest_case_"):] for line in out.splitlines()
                  if line.split()[-1].startswith("utest_case_"))


CASES = [f"{program}/{case}" for program in PROGRAMS for case in case_names(program)]


def boot_testrun(boot, cpu, extra="", programs="", smp=1):
    """Boot with /testrun (given program names, or all) as the first process, on smp CPUs."""
    return boot(" ".join(f"quiet {extra} init=/testrun {programs}".split()), cpu, smp=smp)


def expect_ok(results, name, boot_result):
    """Pass if test name reported ok, skip if it reported skipped, fail otherwise with its
    diagnostics (a program's failure with those of its cases too)."""
    assert name in results, f"{name} did not report: " + explain(boot_result)
    result = results[name]
    if result.skipped:
        pytest.skip(result.directive[len("SKIP"):].strip())
    lines = [f"not ok {name} {result.directive}"]
    for key, r in results.items():
        if key.startswith(name + "/") and not r.ok:
            lines += r.diagnostics + [f"not ok {key} {r.directive}"]
    assert result.ok, "\n".join(lines + result.diagnostics)


def skips(results):
    """{case: reason} of the cases that skipped."""
    return {name: r.directive[len("SKIP"):].strip() for name, r in results.items() if r.skipped}


@pytest.mark.parametrize("cpu,extra,smp", CONFIGS, ids=CONFIG_IDS)
def test_only_the_expected_cases_skip(boot, cpu, extra, smp):
    result = boot_testrun(boot, cpu, extra, smp=smp)
    assert skips(ktap.parse(result.serial)[1]) == skips_expected(cpu, smp), explain(result)


@pytest.mark.parametrize("cpu,extra,smp", CONFIGS, ids=CONFIG_IDS)
def test_testrun_powers_off_with_status_0(boot, cpu, extra, smp):
    result = boot_testrun(boot, cpu, extra, smp=smp)
    planned, _ = ktap.parse(result.serial)
    assert planned == len(TOP_LEVEL), explain(result)
    assert "init exited with status 0" in result.serial, explain(result)
    assert result.status == STATUS_OK, explain(result)


@pytest.mark.parametrize("cpu,extra,smp", CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize("name", TOP_LEVEL)
def test_user_program(boot, cpu, extra, smp, name):
    result = boot_testrun(boot, cpu, extra, smp=smp)
    expect_ok(ktap.parse(result.serial)[1], name, result)


@pytest.mark.parametrize("cpu,extra,smp", CONFIGS, ids=CONFIG_IDS)
@pytest.mark.parametrize("name", CASES)
def test_user_case(boot, cpu, extra, smp, name):
    result = boot_testrun(boot, cpu, extra, smp=smp)
    expect_ok(ktap.parse(result.serial)[1], name, result)


@pytest.mark.parametrize("cpu,extra,smp", CONFIGS, ids=CONFIG_IDS)
def test_running_out_of_memory_names_the_process_killed(boot, cpu, extra, smp):
    """hardening/running_out_of_memory... ends a child that takes every page: the console says
    which, as Linux's OOM killer does."""
    result = boot_testrun(boot, cpu, extra, smp=smp)
    assert re.search(r"^out of memory: killed pid \d+ \(hardening\)$", result.serial, re.M), explain(result)


def live_cr3_labels():
    """{path: rip} of the reads user/tests/live_cr3.c makes right after each way out."""
    binary = USERDIR / "tests" / "live_cr3"
    out = subprocess.run(["nm", str(binary)], check=True, capture_output=True, text=True).stdout
    return {line.split()[2][len("live_cr3_read_after_"):]: int(line.split()[0], 16)
            for line in out.splitlines() if " live_cr3_read_after_" in line}


def check_live_cr3(serial, kpti, paths):
    """Each of paths' reads faulted three times, as "not present" on the user CR3 (kpti on)
    or as a protection fault on the kernel CR3 (kpti off), and no other way."""
    labels = live_cr3_labels()
    assert set(paths) <= set(labels), labels
    want = "not present" if kpti == "on" else "protection"
    for path in paths:
        kinds = re.findall(rf"^pid \d+ \(live_cr3\): #PF page fault at rip {labels[path]:016x}, read from "
                           rf"address ffffffff80100000 \(([a-z ]+)\): killed by SIGSEGV$", serial, re.M)
        assert kinds == [want] * 3, f"after {path}: {kinds}"


@pytest.mark.parametrize("cpu,extra,smp", CONFIGS, ids=CONFIG_IDS)
def test_user_mode_runs_on_the_right_cr3_after_every_exit(boot, cpu, extra, smp):
    result = boot_testrun(boot, cpu, extra, smp=smp)
    check_live_cr3(result.serial, "off" if "kpti=off" in extra else "on", ["sysret", "int80", "exception"])


# An Intel CPU model (QEMU's follow the vendor: AMD's refuse SYSENTER in 64-bit mode): the
# programs that use SYSENTER, with isolation on and off.
INTEL_PROGRAMS = "doors exits hardening live_cr3"
SYSENTER_CASES = sorted(NO_SYSENTER)


@pytest.mark.parametrize("kpti", ["on", "off"])
def test_nothing_skips_on_an_intel_cpu_model(boot, kpti):
    """QEMU's Intel model lets SYSENTER run in 64-bit mode (and, unlike Bochs's, SYSCALL in
    compatibility mode): nothing of these programs skips."""
    result = boot_testrun(boot, INTEL_CPU, f"kpti={kpti}", programs=INTEL_PROGRAMS)
    planned, results = ktap.parse(result.serial)
    assert planned == len(INTEL_PROGRAMS.split()) + 1 and skips(results) == {}, explain(result)
    assert result.status == STATUS_OK, explain(result)


@pytest.mark.parametrize("kpti", ["on", "off"])
@pytest.mark.parametrize("name", SYSENTER_CASES)
def test_sysenter_door_on_an_intel_cpu(boot, kpti, name):
    result = boot_testrun(boot, INTEL_CPU, f"kpti={kpti}", programs=INTEL_PROGRAMS)
    _, results = ktap.parse(result.serial)
    assert name in results and not results[name].skipped, explain(result)
    expect_ok(results, name, result)


@pytest.mark.parametrize("kpti", ["on", "off"])
def test_user_mode_runs_on_the_right_cr3_after_sysenter(boot, kpti):
    result = boot_testrun(boot, INTEL_CPU, f"kpti={kpti}", programs=INTEL_PROGRAMS)
    check_live_cr3(result.serial, kpti, ["sysret", "int80", "exception", "sysenter"])


# ---- on this Linux host -------------------------------------------------------------------
def run_on_host(*command):
    """Run a user program here: no core files from the faults it provokes on purpose, no
    terminal on stdin. Returns the CompletedProcess."""
    binary = command[0]
    if not binary.exists():
        pytest.fail(f"{binary} is missing: run the tests through `make test`")
    return subprocess.run([str(c) for c in command], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CORE, (0, 0)))


@pytest.mark.parametrize("program", PROGRAMS)
def test_user_program_on_host(program):
    run = run_on_host(USERDIR / "tests" / program)
    output = run.stdout + run.stderr
    planned, results = ktap.parse(run.stdout)
    cases = case_names(program)
    assert planned == len(cases), output
    assert sorted(results) == cases, output
    failed = [name for name, result in results.items() if not result.ok]
    assert not failed, output
    assert set(skips(results).values()) <= HOST_SKIP_REASONS, output
    assert run.returncode == 0, output


def test_testrun_on_host():
    """testrun runs the programs beside it and nests their KTAP; a missing one fails."""
    run = run_on_host(USERDIR / "testrun", "numbers", "nosuch", "startup")
    planned, results = ktap.parse(run.stdout)
    assert planned == 4, run.stdout
    assert results["numbers"].ok and results["startup"].ok, run.stdout
    assert not results["nosuch"].ok and results["nosuch"].directive == "exited with status 127"
    assert any("nosuch" in line for line in results["nosuch"].diagnostics), run.stdout
    assert results["frames_all_returned"].skipped, run.stdout
    assert {f"numbers/{case}" for case in case_names("numbers")} <= results.keys(), run.stdout
    assert results["numbers/twofold_calls_are_enosys_on_linux"].ok
    assert run.returncode == 1, run.stdout


@pytest.mark.parametrize("log,why", [
    ("KTAP version 1\n1..2\nok 1 a\nok 1 b\n", "result 2 was due"),
    ("KTAP version 1\n1..2\nok 1 a\nok 3 b\n", "result 2 was due"),
    ("KTAP version 1\n1..2\nok 1 a\nok 2 a\n", "a was reported before"),
    ("KTAP version 1\n1..1\n    KTAP version 1\n    1..2\n    ok 1 x\n    ok 1 y\nok 1 p\n", "result 2 was due"),
])
def test_ktap_refuses_a_repeated_name_or_a_wrong_number(log, why):
    with pytest.raises(ktap.Malformed, match=why):
        ktap.parse(log)


def test_nested_ktap_is_parsed_on_host():
    log = "\n".join([
        "boot messages",
        "KTAP version 1",
        "1..3",
        "    KTAP version 1",
        "    1..2",
        "    # a.c:1: expected x",
        "    not ok 1 first",
        "console line from the kernel",
        "    ok 2 second # SKIP not here",
        "not ok 1 prog # killed by signal 11",
        "        # deeper, for the next result above",
        "    ok 1 orphan",
        "# before the last",
        "ok 2 other",
        "ok 3 frames_all_returned # SKIP no free_frames() here",
    ])
    planned, results = ktap.parse(log)
    assert planned == 3
    assert sorted(results) == ["frames_all_returned", "other", "other/orphan", "prog",
                               "prog/first", "prog/second"]
    assert results["prog/first"] == ktap.Result(False, ["# a.c:1: expected x"])
    assert results["prog/second"].skipped and results["prog/second"].directive == "SKIP not here"
    assert results["prog"] == ktap.Result(False, [], "killed by signal 11")
    assert results["other/orphan"].diagnostics == ["# deeper, for the next result above"]
    assert results["other"].diagnostics == ["# before the last"]
    assert results["frames_all_returned"].skipped and not results["other"].skipped
