"""tests/test_isolation.py: page-table isolation (two CR3s per process) and PCIDs, as a
user sees them (tests/test_user.py runs every user test with isolation on and off, on both
CPU models): a user read of the kernel image faults as not present (not as a protection
fault) when the user CR3 does not map it; cr3demo shows the two CR3s; and under Bochs, whose
CPU has PCID and INVPCID, the user tests pass with PCIDs in force, skipping only what an
Intel CPU refuses, and /ptdump walks from the table, not from the PCID."""
import re
import shutil

import pytest

import ktap
import test_user
import twofold_bochs
from conftest import KERNEL, INITRD, explain
from twofold_qemu import STATUS_OK
import mkiso

KERNEL_READ = "read from address ffffffff80100000"


def assert_all_user_tests_ok(log):
    planned, results = ktap.parse(log)
    top = {name: r for name, r in results.items() if "/" not in name}
    assert planned and len(top) == planned, log[-3000:]
    failed = [name for name, r in results.items() if not r.ok]
    assert not failed, f"failed: {failed}\n{log[-3000:]}"


@pytest.mark.parametrize("kpti,how", [("on", "not present"), ("off", "protection")])
def test_user_read_of_the_kernel_image(boot, kpti, how):
    # The user test "faults" reads the kernel image; the kernel says how the access failed.
    log = boot(f"quiet kpti={kpti} init=/testrun faults", "max").serial
    assert f"{KERNEL_READ} ({how}): killed by SIGSEGV" in log, log[-3000:]


@pytest.mark.parametrize("kpti", ["on", "off"])
def test_cr3demo_shows_kernel_and_user_cr3(boot, kpti):
    """Four processes of two threads each, on two CPUs: the threads of a process share its
    two CR3s, the processes differ, and the two are equal only without isolation."""
    result = boot(f"kpti={kpti} init=/cr3demo", "max", smp=2)
    assert result.status == STATUS_OK, explain(result)
    assert f"isolation: kpti {kpti}" in result.serial
    lines = re.findall(r"^pid (\d+) +tid (\d+) +\w+ +cpu (\d+) +kernel CR3 (0x[0-9a-f]+) +user CR3 (0x[0-9a-f]+)$",
                       result.serial, re.M)
    assert len(lines) == 8 and len({tid for _, tid, _, _, _ in lines}) == 8, result.serial
    by_process = {}
    for pid, _, cpu, kernel, user in lines:
        assert cpu in ("0", "1"), lines
        by_process.setdefault(pid, set()).add((kernel, user))
    assert len(by_process) == 4 and all(len(cr3s) == 1 for cr3s in by_process.values()), lines
    pairs = [cr3s.pop() for cr3s in by_process.values()]
    assert len({kernel for kernel, _ in pairs}) == 4, pairs        # one per process
    for kernel, user in pairs:
        assert (kernel != user) == (kpti == "on"), pairs


def test_pcid_is_off_where_the_cpu_has_none(boot):
    log = boot("pcid=on", "max").serial
    assert "pcid=on: this CPU has no PCID; going on without" in log
    assert "pcid: off (the CPU has none)" in log


@pytest.mark.skipif(not shutil.which("bochs"), reason="bochs is not installed (make test installs it)")
def test_user_tests_pass_under_bochs_with_pcid(tmp_path):
    """On two CPUs: Bochs is the one model here with PCIDs, so this is where address spaces
    that move between CPUs keep (or must drop) their TLB entries."""
    iso = tmp_path / "bochs.iso"
    mkiso.make_iso(KERNEL, iso, "init=/testrun", INITRD)
    result = twofold_bochs.boot(iso, "corei7_skylake_x", cpus=2)
    log = result.serial
    assert not result.timed_out, log[-3000:]
    assert "pcid: on, with INVPCID" in log, log[:3000] or "no serial output; Bochs's log ends:\n" + result.bochs_log
    assert "isolation: kpti on" in log
    assert "cpus: 2 up" in log
    assert_all_user_tests_ok(log)
    # Bochs models an Intel CPU: the SYSENTER door runs there (QEMU's CPUs refuse it).
    _, results = ktap.parse(log)
    assert test_user.skips(results) == test_user.SKIPS_ON_INTEL, log[-3000:]
    test_user.check_live_cr3(log, "on", ["sysret", "int80", "exception", "sysenter"])
    assert "init exited with status 0" in log


@pytest.mark.skipif(not shutil.which("bochs"), reason="bochs is not installed (make test installs it)")
@pytest.mark.parametrize("which", ["", "user"])
def test_ptdump_under_bochs_walks_from_the_table_not_the_pcid(tmp_path, which):
    """With PCIDs the low 12 bits of CR3 are the PCID: system call 1025 must walk from the
    table's address, and show the program's own code and (in the kernel view) the image."""
    iso = tmp_path / "bochs.iso"
    mkiso.make_iso(KERNEL, iso, f"init=/ptdump {which}".strip(), INITRD)
    result = twofold_bochs.boot(iso, "corei7_skylake_x")
    log = result.serial
    assert "pcid: on, with INVPCID" in log, log[-3000:] or result.bochs_log
    dump = log.split("ptdump cr3=")[1].split("ptdump end")[0].splitlines()
    assert int(dump[0], 16) % 4096 == 0, dump[0]
    ranges = [line.split() for line in dump[1:]]
    assert all(len(r) == 7 for r in ranges), dump
    code = [r for r in ranges if r[0].startswith("0000000000401000-")]
    assert code and code[0][2:5] == ["user", "ro", "x"], dump
    image = [r for r in ranges if r[0].startswith("ffffffff80")]
    entry_only = [r for r in ranges if r[2] == "kernel"]
    if which == "user":             # kpti: the entry area, and nothing else of the kernel
        assert entry_only and len(entry_only) <= 4 and not [r for r in ranges if r[0].startswith("ffff8000")], dump
    else:
        assert image[0][2:5] == ["kernel", "ro", "x"], dump
    assert "init exited with status 0" in log
