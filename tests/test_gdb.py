"""tests/test_gdb.py: the GDB helpers (tools/gdb) and `make debug`. The page-table logic runs on
made-up tables; gdb in batch mode drives QEMU's GDB stub through one boot, stopping at the reset
vector, at kmain, just after the kernel's own ptdump and at power_off; through /cr3demo (with
page-table isolation on and off), stopping at the system-call dispatcher in two processes and
once in user mode; and through /ptdump, whose output tf-ptdump must match. `make debug` runs GDB
scripts with no terminal. Every gdb run has a time limit, and QEMU is killed after it."""
import os
import re
import shutil
import socket
import subprocess
import sys

import pytest

from conftest import BUILD, INITRD, KERNEL, ROOT
import mkiso
import twofold_qemu

sys.path.insert(0, str(ROOT / "tools" / "gdb"))
import pagetables  # noqa: E402

GDB_TIMEOUT = 60            # seconds for a whole gdb session; QEMU is killed after it
KERNEL_VMA = 0xffffffff80000000
WALK_RESULT = re.compile(r"^(0x[0-9a-f]{16}) -> physical (0x[0-9a-f]{16}), (4K|2M|1G) page, "
                         r"(user|kernel) (RW|ro) (x|NX)", re.M)
NOT_PRESENT = re.compile(r"^(0x[0-9a-f]{16}): not present", re.M)
PTDUMP_LINE = re.compile(r"^([0-9a-f]{16})-([0-9a-f]{16}) (\d+[KMGT]) (user|kernel) (RW|ro) (x|NX) "
                         r"(G|-) (4K|2M|1G)$")


def kernel_has_ptdump():
    """Whether the kernel has its ptdump option (a missing kernel fails elsewhere, by name)."""
    return not KERNEL.exists() or b"ptdump" in KERNEL.read_bytes()


# ---- the page-table logic on made-up tables -------------------------------------------------
P, RW, US, PS, G, NX = pagetables.P, pagetables.RW, pagetables.US, pagetables.PS, pagetables.G, pagetables.NX


def made_up_space():
    """Tables at made-up physical addresses; returns (read_table, root)."""
    tables = {}

    def table(phys, entries):
        tables[phys] = tuple(entries.get(i, 0) for i in range(pagetables.ENTRIES))
        return phys | P | RW | US

    pt = table(0x4000, {0: 0x100000 | P | RW | US, 1: 0x900000 | P | RW | US,   # not contiguous
                        2: 0x102000 | P | US, 4: 0x104000 | P | RW | US})
    pd = table(0x3000, {0: 0x200000 | P | RW | US | PS, 1: 0x400000 | P | RW | US | PS, 2: pt})
    low = table(0x2000, {0: pd})
    kernel_pdpt = table(0x5000, {510: 0x40000000 | P | RW | PS | G | NX, 511: 0x80000000 | P | PS | G})
    nx_pdpt = table(0x6000, {0: 0xc0000000 | P | RW | US | PS})
    root = table(0x1000, {0: low, 256: nx_pdpt | NX, 511: kernel_pdpt & ~US})
    return tables.__getitem__, root & pagetables.ADDR_MASK


@pytest.mark.parametrize("size,text", [(4096, "4K"), (1020 << 10, "1020K"), (2 << 20, "2M"), (3 << 30, "3G"),
                                       (128 << 40, "128T"), ((1 << 30) + (1 << 20), "1025M")])
def test_sizes_use_the_largest_unit_that_divides(size, text):
    assert pagetables.size_text(size) == text


def test_ptdump_coalesces_by_virtual_address_and_attributes():
    read_table, root = made_up_space()
    assert pagetables.ptdump(read_table, root) == [
        "ptdump cr3=0000000000001000",
        "0000000000000000-0000000000400000 4M user RW x - 2M",
        "0000000000400000-0000000000402000 8K user RW x - 4K",     # page size differs
        "0000000000402000-0000000000403000 4K user ro x - 4K",     # permission differs
        "0000000000404000-0000000000405000 4K user RW x - 4K",     # a hole before it
        "ffff800000000000-ffff800040000000 1G user RW NX - 1G",    # NX from the PML4 entry
        "ffffffff80000000-ffffffffc0000000 1G kernel RW NX G 1G",  # US clear in the PML4 entry
        "ffffffffc0000000-0000000000000000 1G kernel ro x G 1G",   # the end wraps, as in C
        "ptdump end",
    ]


def test_walk_reports_each_level_and_the_effective_permissions():
    read_table, root = made_up_space()
    walk = pagetables.walk(read_table, root, 0x402abc)
    assert [(s.level.name, s.index) for s in walk.steps] == [("PML4", 0), ("PDPT", 0), ("PD", 2), ("PT", 2)]
    assert walk.mapping == pagetables.Mapping(0x102abc, 4096, user=True, writable=False, nx=False, global_=False)
    assert pagetables.walk(read_table, root, 0xffffffff80001234).mapping.permissions() == "kernel RW NX"
    missing = pagetables.walk(read_table, root, 0x403000)
    assert missing.mapping is None and missing.steps[-1].raw == 0


def test_cr3_decoding_depends_on_pcide():
    assert pagetables.describe_cr3(0x15a018, 0)[1:] == ["  PML4 at physical 0x000000000015a000",
                                                        "  PWT=1 PCD=1 (CR4.PCIDE=0: no PCID)"]
    assert pagetables.describe_cr3(0x15a018, pagetables.CR4_PCIDE)[2] == "  PCID 0x018 (CR4.PCIDE=1)"


# ---- gdb against QEMU ------------------------------------------------------------------------
def gdb_session(workdir, cmdline, stops, smp=1):
    """Boot the kernel with cmdline (on smp CPUs) under QEMU's GDB stub and run gdb in batch mode through
    stops, a list of (where, commands): "reset" (the first instruction) or a location to
    continue to (a function or *ADDRESS, either with "if CONDITION"), with a temporary hardware
    breakpoint. The output of each command becomes sections["where command"]. Returns
    (sections, gdb's whole output, the serial log). QEMU is killed at the end, whatever
    happens."""
    if shutil.which("gdb") is None:
        pytest.fail("gdb is not installed (Debian package gdb)")
    iso, serial = workdir / "gdb.iso", workdir / "serial.log"
    mkiso.make_iso(KERNEL, iso, cmdline, INITRD if INITRD.exists() else None)
    script = [
        "python",
        "def step(where, command):",
        "    print('@@ %s %s' % (where, command))",
        "    try:",
        "        gdb.execute(command)",
        "    except gdb.error as error:",
        "        print('error: %s' % error)",
        "end",
    ]
    for where, commands in stops:
        if where != "reset":
            script += [f"echo @@ continue to {where}\\n", f"thbreak {where}", "continue"]
        script += [f"python step({where!r}, {command!r})" for command in commands]
    script += ["echo @@ end\\n", "kill"]
    result = twofold_qemu.gdb_batch(iso, KERNEL, script, workdir, serial=f"file:{serial}", smp=smp,
                                    timeout=GDB_TIMEOUT)
    output = result.stdout + result.stderr
    sections = dict(re.findall(r"^@@ (.*)\n((?:(?!@@ ).*\n)*)", result.stdout, re.M))
    assert "end" in sections, f"the gdb script did not finish:\n{output[-3000:]}"
    return sections, output, serial.read_text(errors="replace").replace("\r\n", "\n")


# From here on the helpers read physical memory through the kernel's direct map.
NO_PHYS_MODE = "python machine.PhysicalMemory._stub_has_phys_mode = lambda self: False"
AT_RESET = ["tf-cr3", "tf-walk 0x1000", "tf-ptdump", "tf-ps", "tf-cpu", "tf-frame"]
AT_KMAIN = ["python print('cr3=%#x' % int(gdb.parse_and_eval('$cr3')))", "tf-cr3", "tf-walk &kmain",
            "tf-walk &boot_info", "tf-walk &__rodata_start", "tf-ps", "tf-cpu", "tf-frame"]
# Addresses whose walks must agree with tf-ptdump at power_off (0x401000: in /init, if it runs).
AGREEING_WALKS = ["tf-walk 0x1000", "tf-walk kmain", "tf-walk &boot_info", "tf-walk &boot_stack_guard",
                  "tf-walk 0xffff800000000000", "tf-walk 0xffff800000345678", "tf-walk 0x401000"]
AT_POWER_OFF = ["tf-ptdump"] + AGREEING_WALKS + [
    "tf-walk &boot_info $cr3", "tf-walk &boot_info 0", "tf-walk nosuch", "tf-walk 0x800000000000", "tf-walk",
    "tf-ptdump 1 2", "tf-ps 1", "tf-frame 1 2", "tf-frame nosuch", "maintenance packet qqemu.PhyMemMode",
    NO_PHYS_MODE, "tf-ptdump $cr3", "tf-ps", "tf-frame"]


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """One boot with `quiet ptdump`: the reset vector, kmain, just after the kernel's own
    ptdump (if it has one), power_off."""
    after_ptdump = [("ptdump", ["finish", "tf-ptdump pt_kernel_root"])] if kernel_has_ptdump() else []
    stops = [("reset", AT_RESET), ("kmain", AT_KMAIN)] + after_ptdump + [("power_off", AT_POWER_OFF)]
    return gdb_session(tmp_path_factory.mktemp("gdb"), "quiet ptdump", stops)


def test_no_python_traceback_anywhere(session):
    _, output, _ = session
    for sign in ("Traceback", "Python Exception", "Error occurred in Python"):
        assert sign not in output, output[-3000:]


@pytest.mark.parametrize("command", AT_RESET)
def test_helpers_refuse_cleanly_before_paging(session, command):
    sections, _, _ = session
    lines = sections["reset " + command].splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {command.split()[0]}: paging is off (CR0.PG clear"), lines


def test_process_helpers_before_there_are_processes(session):
    sections = {k.removeprefix("kmain "): v for k, v in session[0].items()}
    assert sections["tf-ps"] == "no processes yet (process_start_init starts the first)\n"
    assert re.fullmatch(r"error: tf-cpu: no struct cpu at GS base 0x0 or KERNEL_GS_BASE 0x0: "
                        r"percpu_init_cpu has not run yet\n", sections["tf-cpu"]), sections["tf-cpu"]
    assert sections["tf-frame"].startswith("error: tf-frame: no current process and no trap_dispatch"), \
        sections["tf-frame"]


def test_process_helpers_at_power_off_through_the_direct_map(session):
    """/init ends the boot with exit_group: power_off runs below syscall_dispatch, whose frame
    argument tf-frame finds up the backtrace. The GDB stub's physical-memory mode is off here."""
    sections = {k.removeprefix("power_off "): v for k, v in session[0].items()}
    assert re.search(r"^\* +1 +0 running +init +0x[0-9a-f]{16} 0x[0-9a-f]{16}$", sections["tf-ps"], re.M), \
        sections["tf-ps"]
    frame = sections["tf-frame"]
    assert frame.splitlines()[0].endswith(", the frame argument of syscall_dispatch"), frame
    assert re.search(r"\brax +0x0{14}e7\b", frame), frame      # exit_group


def walk_result(text):
    match = WALK_RESULT.search(text)
    assert match, text
    va, phys, page, user, rw, x = match.groups()
    return int(va, 16), int(phys, 16), page, user, rw, x


def test_cr3_decodes_the_table_address_at_kmain(session):
    sections, _, _ = session
    cr3 = int(re.search(r"cr3=(0x[0-9a-f]+)", sections["kmain " + AT_KMAIN[0]]).group(1), 16)
    text = sections["kmain tf-cr3"]
    assert int(re.search(r"PML4 at physical (0x[0-9a-f]{16})", text).group(1), 16) == cr3 & ~0xfff, text
    assert "CR4.PCIDE=0" in text      # QEMU's TCG has no PCID


def test_walk_of_kernel_text_data_and_rodata(session):
    sections, _, _ = session
    va, phys, page, *perms = walk_result(sections["kmain tf-walk &kmain"])
    assert phys == va - KERNEL_VMA and page == "4K" and perms == ["kernel", "ro", "x"]
    assert len(re.findall(r"^  (PML4|PDPT|PD|PT)\[\d+\] +0x[0-9a-f]{16} -> 0x[0-9a-f]{16} P",
                          sections["kmain tf-walk &kmain"], re.M)) == 4
    va, phys, _, *perms = walk_result(sections["kmain tf-walk &boot_info"])
    assert phys == va - KERNEL_VMA and perms == ["kernel", "RW", "NX"]
    assert walk_result(sections["kmain tf-walk &__rodata_start"])[3:] == ("kernel", "ro", "NX")


def test_walk_after_the_identity_map_is_gone(session):
    sections, _, _ = session
    text = sections["power_off tf-walk 0x1000"]
    assert re.search(r"^  (PML4|PDPT|PD|PT)\[0\] +0x0{16} not present", text, re.M), text
    assert NOT_PRESENT.search(text).group(1) == "0x0000000000001000", text
    guard = sections["power_off tf-walk &boot_stack_guard"]
    assert re.search(r"^  PT\[\d+\] +0x0{16} not present", guard, re.M), guard


def test_helpers_report_bad_arguments(session):
    sections = {k.removeprefix("power_off "): v for k, v in session[0].items()}
    assert sections["tf-walk nosuch"].startswith("error: tf-walk: VA 'nosuch' is not an address: No symbol")
    assert "0x0000800000000000 is not canonical" in sections["tf-walk 0x800000000000"]
    assert "usage: tf-walk VA [CR3]" in sections["tf-walk"]
    assert "usage: tf-ptdump [CR3]" in sections["tf-ptdump 1 2"]
    assert sections["tf-ps 1"] == "error: tf-ps: no arguments expected; usage: tf-ps\n"
    assert "usage: tf-frame [ADDRESS]" in sections["tf-frame 1 2"]
    assert sections["tf-frame nosuch"].startswith("error: tf-frame: ADDRESS 'nosuch' is not an address")
    # CR3 0: the "table" is physical page 0, whose last word (slot 511) QEMU's firmware leaves 0.
    assert re.fullmatch(r"walk 0xffffffff8[0-9a-f]{7} with cr3 0x0{16}\n  PML4\[511\] +0x0{16} not present\n"
                        r"0xffffffff8[0-9a-f]{7}: not present \(at PML4\[511\]\)\n", sections["tf-walk &boot_info 0"]), \
        sections["tf-walk &boot_info 0"]
    assert walk_result(sections["tf-walk &boot_info $cr3"]) == walk_result(sections["tf-walk &boot_info"])


def ptdump_block(text):
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("ptdump cr3="))
    return lines[start:lines.index("ptdump end", start) + 1]


def test_ptdump_format_and_agreement_with_walks(session):
    sections = {k.removeprefix("power_off "): v for k, v in session[0].items()}
    block = ptdump_block(sections["tf-ptdump"])
    assert re.fullmatch(r"ptdump cr3=[0-9a-f]{16}", block[0])
    ranges = []
    for line in block[1:-1]:
        match = PTDUMP_LINE.match(line)
        assert match, line
        start, end = int(match.group(1), 16), int(match.group(2), 16) or 1 << 64
        assert pagetables.size_text(end - start) == match.group(3)
        ranges.append((start, end, match.groups()[3:6], match.group(8)))
    for before, after in zip(ranges, ranges[1:]):
        assert before[1] <= after[0], "ranges overlap or are out of order"
        assert before[1] < after[0] or before[2:] != after[2:], "adjacent ranges should have coalesced"
    for command in AGREEING_WALKS:
        text = sections[command]
        missing = NOT_PRESENT.search(text)
        va = int(missing.group(1), 16) if missing else walk_result(text)[0]
        inside = [r for r in ranges if r[0] <= va < r[1]]
        if missing:
            assert not inside, f"{command}: not present, yet ptdump has {inside}"
        else:
            _, _, page, *perms = walk_result(text)
            assert inside and inside[0][2:] == (tuple(perms), page), f"{command}: {text} against {inside}"


def test_physical_memory_mode_is_left_off_and_the_direct_map_gives_the_same(session):
    sections, _, _ = session
    assert 'received: "0"' in sections["power_off maintenance packet qqemu.PhyMemMode"]
    assert sections["power_off " + NO_PHYS_MODE] == ""
    assert ptdump_block(sections["power_off tf-ptdump $cr3"]) == ptdump_block(sections["power_off tf-ptdump"])


@pytest.mark.skipif(not kernel_has_ptdump(), reason="the kernel has no ptdump option yet")
def test_gdb_ptdump_matches_the_kernels(session):
    sections, _, serial = session
    assert "ptdump cr3=" in serial, f"the kernel printed no ptdump:\n{serial[-2000:]}"
    assert ptdump_block(sections["ptdump tf-ptdump pt_kernel_root"]) == ptdump_block(serial)


# ---- processes: tf-ps, tf-cpu, tf-frame, and tf-walk against the kernel's pt_translate -------
PS_ROW = re.compile(r"^([* ]) +(\d+) +(\d+) (\w+) +(\S+) +0x([0-9a-f]{16}) 0x([0-9a-f]{16})$", re.M)
# The kernel's pt_translate(root, va, &pa, &prot, NULL), called by GDB on the stopped kernel,
# with pa and prot in two words of the kernel stack 2 KiB below RSP, deeper than the call reaches.
TRANSLATE = ("print pt_translate(((struct cpu *)$gs_base)->current->vm.root, frame->rip, "
             "(unsigned long *)($rsp - 2048), (unsigned long *)($rsp - 2040), 0)")
TRANSLATED = "print/x *(unsigned long (*)[2])($rsp - 2048)"
IN_THE_KERNEL = ["print/x $cr3", "tf-ps", "tf-cpu", "tf-frame", "print/x frame->rax", "tf-walk frame->rip",
                 TRANSLATE, TRANSLATED]
DIRECT_READ = "print 'process.c'::slots"     # the process table, through the CPU's own CR3
IN_USER_MODE = ["print/x $cs", "tf-ps", "tf-cpu", "tf-frame", "tf-walk $pc", DIRECT_READ]
FIRST = "syscall_dispatch"
USER = "*frame->rip"        # where the first system call returns to, set while stopped at FIRST
SECOND = "syscall_dispatch if ((struct cpu *)$gs_base)->current->pid != $first_pid"
PROCESS_STOPS = [(FIRST, IN_THE_KERNEL + ["set $first_pid = ((struct cpu *)$gs_base)->current->pid"]),
                 (USER, IN_USER_MODE), (SECOND, IN_THE_KERNEL)]
IN_EACH_PROCESS = pytest.mark.parametrize("where", [FIRST, SECOND], ids=["first", "second"])


@pytest.fixture(scope="module", params=["on", "off"])
def two_processes(request, tmp_path_factory):
    """/cr3demo (which forks three children) with kpti=on or off: the first system call, the
    return to user mode from it, and the first system call of another process. Returns
    (kpti, sections)."""
    sections, _, _ = gdb_session(tmp_path_factory.mktemp("gdb"), f"quiet kpti={request.param} init=/cr3demo",
                                 PROCESS_STOPS)
    return request.param, sections


def test_helpers_work_in_every_process_stop(two_processes):
    _, sections = two_processes
    for where, commands in PROCESS_STOPS:
        for command in commands:
            if command != DIRECT_READ:
                assert not sections[f"{where} {command}"].startswith("error:"), (where, command, sections)


def ps_rows(text):
    """tf-ps's rows as {pid: (marked, ppid, state, name, kernel CR3, user CR3)}."""
    rows = {int(pid): (mark == "*", int(ppid), state, name, int(kcr3, 16), int(ucr3, 16))
            for mark, pid, ppid, state, name, kcr3, ucr3 in PS_ROW.findall(text)}
    assert rows, text
    return rows


def running(sections, where):
    """The pid and tf-ps row of the one process tf-ps marks at stop where."""
    marked = [(pid, row) for pid, row in ps_rows(sections[f"{where} tf-ps"]).items() if row[0]]
    assert len(marked) == 1 and marked[0][1][2] == "running", sections[f"{where} tf-ps"]
    return marked[0]


def printed(text):
    """The number GDB printed for `print/x`: "$3 = 0x363000"."""
    return int(re.fullmatch(r"\$\d+ = (0x[0-9a-f]+)\n", text).group(1), 16)


def cpu_fields(text):
    return dict(re.findall(r"^  (\w+) +(.*)$", text, re.M))


def test_cr3_differs_between_processes_and_matches_tf_ps(two_processes):
    kpti, sections = two_processes
    (first_pid, first), (second_pid, second) = running(sections, FIRST), running(sections, SECOND)
    assert first_pid != second_pid and first[3] == second[3] == "cr3demo"
    assert printed(sections[f"{FIRST} print/x $cr3"]) == first[4]
    assert printed(sections[f"{SECOND} print/x $cr3"]) == second[4]
    assert first[4] != second[4] and first[5] != second[5]
    if kpti == "on":
        assert first[5] != first[4] and second[5] != second[4], "kpti=on gives a process two CR3s"
    else:
        assert first[5] == first[4] and second[5] == second[4], "kpti=off gives a process one CR3"
    assert ps_rows(sections[f"{SECOND} tf-ps"])[second_pid][1] == first_pid     # cr3demo forked it


@IN_EACH_PROCESS
def test_tf_cpu_agrees_with_tf_ps(two_processes, where):
    _, sections = two_processes
    pid, row = running(sections, where)
    text = sections[f"{where} tf-cpu"]
    assert re.match(r"struct cpu at 0x[0-9a-f]{16}: cpus\[0\], found through GS base \(stopped in kernel mode\)",
                    text), text
    fields = cpu_fields(text)
    assert re.fullmatch(rf"0x[0-9a-f]{{16}} pid {pid} \(cr3demo\)", fields["current"]), fields
    assert int(fields["entry_cr3"], 16) == row[4] and int(fields["exit_cr3"], 16) == row[5], fields
    assert fields["self"].endswith("(itself)") and fields["id"] == "0"


@IN_EACH_PROCESS
def test_tf_frame_at_syscall_dispatch_is_the_system_call(two_processes, where):
    _, sections = two_processes
    text = sections[f"{where} tf-frame"]
    assert "the frame argument of syscall_dispatch" in text.splitlines()[0], text
    assert re.search(r"^  vector 256 \(VEC_SYSCALL\), error code 0x0, from user mode \(cs 0x33: ring 3\)$", text,
                     re.M), text
    rax = int(re.search(r"\brax +0x([0-9a-f]{16})", text).group(1), 16)
    assert rax == printed(sections[f"{where} print/x frame->rax"])
    cells = dict(re.findall(r"\b(\w+) +0x([0-9a-f]{16})\b", text))
    assert set(cells) >= {"r15", "r8", "rdi", "rsi", "rdx", "rax", "rip", "cs", "rflags", "rsp", "ss"}, cells


@IN_EACH_PROCESS
def test_walk_of_user_code_agrees_with_the_kernels_translation(two_processes, where):
    _, sections = two_processes
    va, phys, page, *perms = walk_result(sections[f"{where} tf-walk frame->rip"])
    assert page == "4K" and perms == ["user", "ro", "x"]
    assert re.fullmatch(r"\$\d+ = 0\n", sections[f"{where} {TRANSLATE}"]), sections[f"{where} {TRANSLATE}"]
    pa, prot = (int(word, 16) for word in re.fullmatch(r"\$\d+ = \{(0x[0-9a-f]+), (0x[0-9a-f]+)\}\n",
                                                       sections[f"{where} {TRANSLATED}"]).groups())
    assert pa == phys
    assert (bool(prot & US), bool(prot & RW), bool(prot & NX)) == (True, False, False), hex(prot)


def test_helpers_in_user_mode_read_the_kernel_through_its_cr3(two_processes):
    kpti, sections = two_processes
    assert printed(sections[f"{USER} print/x $cs"]) & 3 == 3
    first_pid, first = running(sections, FIRST)
    assert running(sections, USER) == (first_pid, first)
    text = sections[f"{USER} tf-cpu"]
    assert "found through KERNEL_GS_BASE (stopped in user mode)" in text.splitlines()[0], text
    assert cpu_fields(text)["entry_cr3"] == cpu_fields(sections[f"{FIRST} tf-cpu"])["entry_cr3"]
    frame = sections[f"{USER} tf-frame"]
    assert f"the top of pid {first_pid} (cr3demo)'s kernel stack" in frame.splitlines()[0], frame
    assert walk_result(sections[f"{USER} tf-walk $pc"])[3:] == ("user", "ro", "x")
    # What the helpers avoid: with isolation the user CR3 does not map the kernel's data.
    direct = sections[f"{USER} {DIRECT_READ}"]
    assert direct.startswith("error: Cannot access memory") == (kpti == "on"), direct


# ---- tf-ptdump against the ptdump system call ------------------------------------------------
PTDUMP_CALL = "syscall_dispatch if frame->rax == SYS_twofold_ptdump"
TEXT_WRITE = "syscall_dispatch if frame->rax == SYS_write"
AT_TEXT_WRITE = ["tf-ps", "tf-ptdump '((struct cpu *)$gs_base)->current->kernel_cr3'",
                 "tf-ptdump '((struct cpu *)$gs_base)->current->user_cr3'"]


@pytest.fixture(scope="module", params=["", "user"])
def ptdump_program(request, tmp_path_factory):
    """/ptdump (the kernel CR3's view) or `/ptdump user`: its system call, then the write of the
    text, when the address space is still the one it describes. Returns (which, sections,
    serial log)."""
    stops = [(PTDUMP_CALL, ["tf-frame"]), (TEXT_WRITE, AT_TEXT_WRITE), ("power_off", [])]
    sections, _, serial = gdb_session(tmp_path_factory.mktemp("gdb"), f"quiet init=/ptdump {request.param}".strip(),
                                      stops)
    return request.param, sections, serial


def test_ptdump_program_calls_1025_from_user_mode(ptdump_program):
    _, sections, _ = ptdump_program
    text = sections[f"{PTDUMP_CALL} tf-frame"]
    assert re.search(r"\brax +0x0{13}401\b", text) and "from user mode" in text, text


def test_tf_ptdump_matches_the_ptdump_system_call(ptdump_program):
    which, sections, serial = ptdump_program
    assert "ptdump cr3=" in serial, f"/ptdump printed nothing:\n{serial[-2000:]}"
    _, (_, _, _, name, kernel_cr3, user_cr3) = running(sections, TEXT_WRITE)
    assert name == "ptdump"
    views = {"": ptdump_block(sections[f"{TEXT_WRITE} {AT_TEXT_WRITE[1]}"]),
             "user": ptdump_block(sections[f"{TEXT_WRITE} {AT_TEXT_WRITE[2]}"])}
    cr3 = user_cr3 if which == "user" else kernel_cr3
    assert views[which][0] == f"ptdump cr3={cr3 & pagetables.ADDR_MASK:016x}"
    assert ptdump_block(serial) == views[which]

    def half(view, upper):
        return [line for line in views[view][1:-1] if (int(line[:16], 16) >= pagetables.UPPER_HALF) == upper]
    # kpti is on: the user CR3 maps the same user half, and only a little of the kernel.
    assert half("", False) == half("user", False) and len(half("user", True)) < len(half("", True)), views


def test_helpers_say_when_gdb_is_not_connected():
    result = subprocess.run(["gdb", "-batch", "-nx", "-x", str(ROOT / "tools" / "gdb" / "twofold.py"), "-ex", "tf-cr3"],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=GDB_TIMEOUT)
    assert result.stderr.strip().startswith("tf-cr3: not connected to a guest"), result.stderr


# ---- make debug ------------------------------------------------------------------------------
def free_port():
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def make_debug(*variables, timeout=GDB_TIMEOUT):
    """`make debug` with variables, in this test run's build, without rebuilding anything."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    build = os.path.relpath(BUILD, ROOT)
    command = ["make", "--no-print-directory", f"BUILD={build}", "CC=gcc", "-o", f"{build}/gcc/twofold.elf",
               "-o", f"{build}/gcc/twofold.iso", "debug", *variables]
    return subprocess.run(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=timeout)


def test_make_debug_runs_a_script_and_ends_qemu(tmp_path):
    port = free_port()
    script = tmp_path / "script.gdb"
    # No `kill` at the end: GDB detaches and the guest runs on, so ending QEMU is make debug's job.
    script.write_text("continue\ntf-cr3\ntf-walk &kmain\n")
    result = make_debug(f"GDB_PORT={port}", f"GDB_ARGS=-nx -batch -x {script}")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "tf-walk VA [CR3]" in output          # the help printed at the start
    assert re.search(r"Breakpoint 1, kmain", output), output
    assert "PML4 at physical 0x" in output and "kernel ro x" in output, output
    init = (BUILD / "gcc" / "debug.gdb").read_text()
    assert f"target remote localhost:{port}" in init and "set architecture i386:x86-64" in init
    with socket.socket() as probe:              # QEMU is gone: its port is free again
        probe.bind(("localhost", port))


@pytest.mark.skipif(not (BUILD / "user" / "init").exists(), reason="no user program /init built")
def test_make_debug_loads_a_user_programs_symbols(tmp_path):
    script = tmp_path / "script.gdb"
    # To kmain, then to /init's main: in user mode, where the kernel half of CR3 may map next
    # to nothing (page-table isolation), so the tables are readable only as physical memory.
    script.write_text("hbreak main\ncontinue\ncontinue\ntf-walk $pc\ntf-ptdump\n")
    result = make_debug(f"GDB_PORT={free_port()}", "PROG=/init", f"GDB_ARGS=-nx -batch -x {script}")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"Breakpoint 2, 0x[0-9a-f]+ in main \(\)", output), output
    assert "4K page, user ro x" in output, output
    assert re.search(r"^[0-9a-f]{16}-[0-9a-f]{16} \d+K user ro x - 4K\n(.*\n)*ptdump end$", output, re.M), output


def test_make_debug_names_a_missing_user_program():
    result = make_debug("PROG=/nosuch")
    assert result.returncode != 0
    assert "user/nosuch does not exist, so PROG names no user program" in result.stderr, result.stderr


# ---- the registers C starts with after an entry ------------------------------------------
# doors/syscall_keeps_registers_and_flags and doors/int80_keeps_registers_and_flags load every
# register with a pattern (RBX: 0xa222222222222222) before their door. At the first
# instruction of the dispatcher the entry has saved them in the frame and zeroed them all:
# only RDI (the frame) and RSP remain.
PATTERN_RBX = "((struct trap_frame *)$rdi)->rbx == 0xa222222222222222"
ENTRY_STOPS = {"syscall": f"*syscall_dispatch if {PATTERN_RBX}",
               "int80": f"*trap_dispatch if ((struct trap_frame *)$rdi)->vector == 0x80 && {PATTERN_RBX}"}
CLEARED = ["rax", "rbx", "rcx", "rdx", "rsi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
AT_ENTRY = ["info registers " + " ".join(CLEARED), "print/x $rdi - (long)$rsp", "print/x ((struct trap_frame *)$rdi)->rbx"]


@pytest.fixture(scope="module")
def entries(tmp_path_factory):
    stops = [(ENTRY_STOPS["syscall"], AT_ENTRY), (ENTRY_STOPS["int80"], AT_ENTRY)]
    sections, _, _ = gdb_session(tmp_path_factory.mktemp("gdb"), "quiet init=/testrun doors", stops)
    return sections


@pytest.mark.parametrize("door", ["syscall", "int80"])
def test_entry_zeroes_every_register_before_c(entries, door):
    where = ENTRY_STOPS[door]
    assert printed(entries[f"{where} {AT_ENTRY[2]}"]) == 0xa222222222222222      # the user's, saved
    assert printed(entries[f"{where} {AT_ENTRY[1]}"]) == 8      # RDI: the frame, above the return address
    values = dict(re.findall(r"^(\w+) +(0x[0-9a-f]+)", entries[f"{where} {AT_ENTRY[0]}"], re.M))
    assert sorted(values) == sorted(CLEARED), entries[f"{where} {AT_ENTRY[0]}"]
    assert {name: value for name, value in values.items() if int(value, 16)} == {}


# ---- the CR3 at the exit instructions themselves ---------------------------------------------
# A hardware breakpoint on the SYSRET and on the IRET back to user mode (its frame's CS has
# RPL 3): the CR3 loaded there is what user mode runs on, and must be the running process's
# user CR3 (with isolation, not its kernel CR3). No timer can change what these stops see.
AT_SYSRET = "*syscall_sysret"
AT_USER_IRET = "*trap_return_iret if (*(unsigned long *)($rsp + 8) & 3) == 3"
AT_EXIT = ["print/x $cr3", "tf-ps"]


@pytest.fixture(scope="module", params=["on", "off"])
def exits(request, tmp_path_factory):
    stops = [(AT_SYSRET, AT_EXIT), (AT_USER_IRET, AT_EXIT)]
    sections, _, _ = gdb_session(tmp_path_factory.mktemp("gdb"), f"quiet kpti={request.param} init=/cr3demo", stops)
    return request.param, sections


@pytest.mark.parametrize("where", [AT_SYSRET, AT_USER_IRET], ids=["sysret", "iret"])
def test_cr3_at_the_exit_instruction_is_the_processs_user_cr3(exits, where):
    kpti, sections = exits
    _, (_, _, _, _, kernel_cr3, user_cr3) = running(sections, where)
    cr3 = printed(sections[f"{where} print/x $cr3"])
    assert cr3 == user_cr3 & ~(1 << 63), (hex(cr3), hex(user_cr3))
    assert (cr3 != kernel_cr3) == (kpti == "on"), (hex(cr3), hex(kernel_cr3))


# ---- a user-mode #DB runs on the process's kernel stack, not its IST stack -------------------
# exits/a_return_with_the_trap_flag_leaves_by_iret single-steps in user mode: the #DB handler
# may kill the process or switch to another, which it must do on the process's own kernel stack
# (the area at KSTACK_AREA_BASE), never on the CPU's one IST stack for #DB.
USER_DEBUG_TRAP = ("*trap_dispatch if ((struct trap_frame *)$rdi)->vector == 1 "
                   "&& (((struct trap_frame *)$rdi)->cs & 3) == 3")
KSTACK_AREA = (0xffffc00000000000, 0xffffe00000000000)


def test_a_user_debug_trap_is_handled_on_the_kernel_stack(tmp_path):
    sections, _, _ = gdb_session(tmp_path, "quiet init=/testrun exits", [(USER_DEBUG_TRAP, ["print/x $rsp"])])
    rsp = printed(sections[f"{USER_DEBUG_TRAP} print/x $rsp"])
    assert KSTACK_AREA[0] <= rsp < KSTACK_AREA[1], hex(rsp)


# ---- several CPUs: tf-cpus -----------------------------------------------------------------
@pytest.fixture(scope="module")
def two_cpus(tmp_path_factory):
    """A boot on two CPUs, stopped at the first system call of /hello: one CPU runs it (the
    first to look at the run queue), the other is idle."""
    commands = ["print/x pt_kernel_root", "thread 2", "tf-cpus", "python print(gdb.selected_thread().num)", "tf-cpu"]
    return gdb_session(tmp_path_factory.mktemp("gdb-smp"), "quiet init=/hello", [("syscall_dispatch", commands)],
                       smp=2)


def test_tf_cpus_shows_each_cpu_and_what_it_runs(two_cpus):
    sections, output, serial = two_cpus
    where = "syscall_dispatch"
    kernel_root = int(sections[f"{where} print/x pt_kernel_root"].split("=")[1], 16)
    lines = sections[f"{where} tf-cpus"].splitlines()
    assert len(lines) == 2, lines
    running = [i for i, line in enumerate(lines)
               if re.fullmatch(rf"thread {i + 1}: cpus\[{i}\], kernel mode, CR3 0x[0-9a-f]{{16}}, runs pid 1 \(hello\)", line)]
    assert len(running) == 1, lines
    idle = 1 - running[0]
    assert lines[idle] == f"thread {idle + 1}: cpus[{idle}], kernel mode, CR3 0x{kernel_root:016x}, runs nothing (idle)"
    # tf-cpus comes back to the thread selected, and tf-cpu shows that CPU's own struct cpu.
    assert sections[f"{where} python print(gdb.selected_thread().num)"] == "2\n"
    assert "struct cpu at" in sections[f"{where} tf-cpu"] and "cpus[1]," in sections[f"{where} tf-cpu"]
    assert "Traceback" not in output
