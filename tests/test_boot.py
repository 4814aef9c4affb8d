"""tests/test_boot.py: booting as a user sees it: the banner, the command line, and what
happens on a CPU Twofold cannot run on or a kernel fault (the harness must see failures)."""
import re
import subprocess
import sys

import pytest

import ktap
import mkiso
import twofold_qemu
from conftest import BOOT_TIMEOUT, BUILD, KERNEL, ROOT, explain
from twofold_qemu import STATUS_OK, STATUS_PANIC, STATUS_UNSUPPORTED_CPU


def test_banner_shows_memory_map_and_loader(boot):
    result = boot("")
    assert result.status == STATUS_OK, explain(result)
    log = result.serial
    assert "boot loader: GRUB" in log
    assert re.search(r"^memory map:$", log, re.M)
    # QEMU's 256 MiB: conventional memory below 640 KiB, and the rest from 1 MiB.
    assert re.search(r"0000000000100000-[0-9a-f]{16} +\d+ KiB  available", log), log
    assert re.search(r"available: 25\d MiB", log), log
    assert re.search(r'modules: 1\n  [0-9a-f]{8}-[0-9a-f]{8} "initrd"', log), log


@pytest.mark.parametrize("cpu,controllers", [("max", "local APIC timer, I/O APIC"),
                                             ("qemu64,-apic", "PIT, PIC (no local APIC)")])
def test_banner_names_the_interrupt_controllers(boot, cpu, controllers):
    result = boot("", cpu)
    assert result.status == STATUS_OK, explain(result)
    assert f"interrupts: {controllers}, 100 Hz" in result.serial


@pytest.mark.parametrize("cpu,line", [
    ("max", "SMEP on, SMAP on, UMIP on, FSGSBASE off,"),
    ("qemu64", "SMEP absent, SMAP absent, UMIP absent, FSGSBASE off (absent),"),
])
def test_banner_says_which_protections_are_on(boot, cpu, line):
    result = boot("", cpu)
    assert re.search(r"^cpu: 1 GiB pages \w+, " + re.escape(line), result.serial, re.M), explain(result)


def test_failalloc_fails_the_nth_allocation(boot):
    """failalloc=1: the first allocation once init runs is its first pipe's, which fails
    cleanly; the run goes on."""
    result = boot("quiet failalloc=1 init=/testrun numbers")
    assert "# testrun: pipe: Out of memory\nnot ok 1 numbers # could not be run" in result.serial, explain(result)
    assert result.status == 1, explain(result)         # that one failed case: nothing else


@pytest.mark.parametrize("every", [101, 499])
def test_failalloc_every_nth_never_panics_nor_leaks(boot, every):
    """Every Nth allocation failing under the system-call fuzzer (whose watchdog keeps a
    process that waits forever from stopping the run): calls fail, processes are killed for
    want of memory, init itself may be (that ends the boot with status 127), but the kernel
    stays up, and if init lives every frame comes back."""
    result = boot(f"quiet failalloc=every:{every} init=/syscall_fuzz calls=20000")
    assert not result.timed_out and result.status not in (None, STATUS_PANIC), explain(result)
    assert "out of memory: killed pid" in result.serial or "not started)" in result.serial, explain(result)
    if result.status != 127:
        _, results = ktap.parse(result.serial)
        assert results["frames_all_returned"].ok, explain(result)


def test_failalloc_malformed_is_reported(boot):
    result = boot("quiet failalloc=every:x")
    assert ('command line: ignoring "failalloc=every:x": failalloc= takes N or every:N, N a positive number'
            in result.serial), explain(result)
    assert result.status == STATUS_OK, explain(result)


def test_quiet_hides_the_banner(boot):
    result = boot("quiet")
    assert result.status == STATUS_OK, explain(result)
    assert "memory map" not in result.serial
    assert "init exited with status 0" in result.serial


def test_bad_options_are_reported_and_skipped(boot):
    result = boot("quiet=yes frobnicate quiet")
    assert result.status == STATUS_OK, explain(result)
    assert 'ignoring "quiet=yes": this option takes no value' in result.serial
    assert 'ignoring "frobnicate": unknown option' in result.serial
    assert "memory map" not in result.serial          # the good "quiet" still applied


def test_unknown_fault_case_lists_the_known_ones(boot):
    result = boot("quiet fault=nosuch")
    assert result.status == STATUS_OK, explain(result)
    assert ("fault=nosuch: unknown; the cases are: ud2 write-text exec-data exec-heap stack-overflow "
            "kstack-overflow switch-holding-a-lock") in result.serial


FAULTS = [
    # case, exception line, panic line, where RIP must be
    ("ud2", r"exception 6 \(#UD invalid opcode\), error code 0x0", "#UD invalid opcode in kernel mode",
     "fault_invalid_opcode"),
    # #PF error code 0x3: a write to a present page (read-only kernel text).
    ("write-text", r"exception 14 \(#PF page fault\), error code 0x3", "#PF page fault in kernel mode",
     "fault_write_text"),
    # #PF error code 0x11: an instruction fetch from a present page (NX data).
    ("exec-data", r"exception 14 \(#PF page fault\), error code 0x11", "#PF page fault in kernel mode",
     "ret_instruction"),
    ("exec-heap", r"exception 14 \(#PF page fault\), error code 0x11", "#PF page fault in kernel mode",
     None),
    ("stack-overflow", r"exception 8 \(#DF double fault\), error code 0x0", "kernel stack overflow",
     "recurse"),
    ("kstack-overflow", r"exception 8 \(#DF double fault\), error code 0x0", "kernel stack overflow",
     "recurse"),
]


def test_a_switch_holding_a_spinlock_panics(boot):
    """schedule() checks the rules of a switch (xv6's sched()): no spinlock may be held."""
    result = boot("quiet fault=switch-holding-a-lock")
    assert result.status == STATUS_PANIC, explain(result)
    assert "kernel panic: schedule: 1 spinlock(s) held across a switch" in result.serial, explain(result)


@pytest.mark.parametrize("case,exception,message,rip_symbol", FAULTS, ids=[f[0] for f in FAULTS])
def test_kernel_fault_is_reported_and_fails(boot, case, exception, message, rip_symbol):
    result = boot(f"quiet fault={case}")
    log = result.serial
    assert result.status == STATUS_PANIC, explain(result)
    assert re.search(exception, log), explain(result)
    assert "kernel panic: " + message in log, explain(result)
    rip = re.search(r"^  rip +([0-9a-f]{16})(?: <([\w.]+)\+0x[0-9a-f]+>)?", log, re.M)
    assert rip, explain(result)
    if rip_symbol == "ret_instruction":     # data has no symbol: RIP is in the data segment
        assert rip.group(2) is None and int(rip.group(1), 16) >= 0xffffffff80000000
    elif rip_symbol is None:                # the heap: in the direct map
        assert rip.group(2) is None and 0xffff800000000000 <= int(rip.group(1), 16) < 0xffffc00000000000
    else:
        # GCC may name a specialised copy "recurse.isra.0".
        assert rip.group(2) and rip.group(2).split(".")[0] == rip_symbol, explain(result)
    for register in ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8 ", "r9", "r10", "r11", "r12",
                     "r13", "r14", "r15", "rflags", "cr2", "cr3"):
        assert f"{register} " in log, f"{register} missing from the dump"
    assert re.search(r"^backtrace:\n  [0-9a-f]{16} <[\w.]+\+0x", log, re.M), explain(result)


def test_page_fault_is_explained_with_its_walk(boot):
    log = boot("quiet fault=write-text").serial
    assert re.search(r"page fault: write at ffffffff801[0-9a-f]{5} in kernel mode, protection violation", log), log
    # The walk: four levels down to a present, read-only, executable 4 KiB page.
    assert re.search(r"PML4E\[511\] [0-9a-f]{16}  kernel RW x\n  PDPTE\[510\] [0-9a-f]{16}  kernel RW x\n"
                     r"  PDE  \[  0\] [0-9a-f]{16}  kernel RW x\n  PTE  \[\d+\] [0-9a-f]{16}  kernel ro x\n", log), log


def test_ptdump_option_prints_the_kernel_address_space(boot):
    result = boot("quiet ptdump")
    assert result.status == STATUS_OK, explain(result)
    dump = result.serial.split("ptdump cr3=")[1].split("ptdump end")[0].splitlines()[1:]
    fields = [line.split() for line in dump]
    assert all(len(f) == 7 for f in fields), dump
    # No user mappings in the kernel's own table, and nothing both writable and executable.
    assert all(f[2] == "kernel" for f in fields)
    assert not [f for f in fields if f[3] == "RW" and f[4] == "x"]
    # Text, then rodata, then data: the image at -2 GiB with 4 KiB pages.
    image = [f for f in fields if f[0].startswith("ffffffff8")]
    assert [(f[3], f[4], f[6]) for f in image][:3] == [("ro", "x", "4K"), ("ro", "NX", "4K"), ("RW", "NX", "4K")]
    # The direct map uses huge pages where the CPU and alignment allow.
    assert any(f[0].startswith("ffff8000") and f[6] in ("2M", "1G") for f in fields)


@pytest.mark.parametrize("cpu,message", [
    ("qemu64,-nx", "this CPU has no NX (no-execute) bit"),
    ("qemu32", "this CPU has no long mode (x86-64)"),
])
def test_unsupported_cpu_is_refused_with_a_message(boot, cpu, message):
    result = boot("", cpu)
    assert result.status == STATUS_UNSUPPORTED_CPU, explain(result)
    assert f"Twofold: {message}; halting." in result.serial


def test_an_outside_program_runs_as_init_and_its_status_comes_back(tmp_path):
    """`make run EXTRA=dir CMDLINE='init=/prog arg'`: a static musl binary from outside the
    tree runs as the first process with its arguments, and its exit status is what the QEMU
    launcher exits with."""
    extra = tmp_path / "extra"
    extra.mkdir()
    source = tmp_path / "prog.c"
    source.write_text('#include <stdio.h>\n'
                      'int main(int argc, char **argv) { printf("prog: %d %s\\n", argc, argv[1]); return 7; }\n')
    subprocess.run(["musl-gcc", "-static", "-O2", "-o", str(extra / "prog"), str(source)], check=True)
    initrd = tmp_path / "initrd.cpio"
    subprocess.run([sys.executable, str(ROOT / "tools" / "mkinitrd.py"), str(initrd), str(BUILD / "user"), "hello",
                    "--extra", str(extra)], check=True)
    iso = tmp_path / "prog.iso"
    mkiso.make_iso(KERNEL, iso, "quiet init=/prog hello", initrd)
    result = twofold_qemu.boot(iso, timeout=BOOT_TIMEOUT)
    assert "prog: 2 hello" in result.serial, explain(result)
    assert "init exited with status 7" in result.serial
    assert result.status == 7, explain(result)


def test_busybox_poweroff_powers_off_through_reboot(boot):
    """reboot(2)'s power off, as busybox's `poweroff -f` (as the first process) calls it."""
    result = boot("quiet init=/bin/busybox poweroff -f")
    assert "reboot: power off" in result.serial, explain(result)
    assert result.status == STATUS_OK, explain(result)


def test_busybox_reboot_resets_the_machine(boot):
    """reboot(2)'s restart resets the machine; QEMU, run with -no-reboot, then ends without a
    power-off status."""
    result = boot("quiet init=/bin/busybox reboot -f")
    assert "reboot: restart" in result.serial, explain(result)
    assert result.status is None and not result.timed_out, explain(result)
