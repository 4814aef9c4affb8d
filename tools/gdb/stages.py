"""tools/gdb/stages.py: tf-profile, where the instructions of one system call go, counted by
single-stepping it (tools/profile.py runs it for `make profile`).

A system call's instructions fall into stages, told apart by where each one lies: the SYSCALL
instruction in user mode; the entry stub (arch/x86_64/entry.asm) until the first C code; the
dispatcher (syscall_dispatch) until its handler; what it calls first, the call's handler; the
switch to another process, for a call that blocks or yields (switch_to, sched_load_address_space,
context_switch); the exit work: the dispatcher once the handler has returned (the result, the
one test of whether there is work) and what it calls then (process_before_user_return:
signals, preemption); and the return stub, entry.asm again, through SYSRET or IRET. Stepping runs with interrupts
masked (QEMU's GDB stub steps that way by default), so no tick intrudes.
"""
import collections

import gdb

STUB_FILE = "entry.asm"
DISPATCHER = "syscall_dispatch"
EXIT_WORK = "process_before_user_return"
SWITCH = {"switch_to", "sched_load_address_space", "context_switch"}
STAGES = ("SYSCALL", "entry stub", "dispatch", "handler", "switch", "exit work", "return stub")
MAX_STEPS = 20000           # a call that takes more is not one this command can follow


def where(pc):
    """(source file, function) of the instruction at pc, as the kernel's symbols say; the stub's
    instructions (whose labels are its macros' own) go by their file's name."""
    line = gdb.find_pc_line(pc)
    source = line.symtab.filename if line.symtab else ""
    if source.endswith(STUB_FILE):
        return source, STUB_FILE
    text = gdb.execute(f"info symbol {pc:#x}", to_string=True)
    name = text.split(" + ")[0].split(" in section")[0].strip() if "No symbol" not in text else f"{pc:#x}"
    return source, name


def repeating(pc):
    """Whether the instruction at pc may run again at pc (a rep-prefixed string instruction)."""
    asm = gdb.selected_frame().architecture().disassemble(pc)[0]["asm"]
    return asm.split()[0].startswith("rep")


def stages_of(trace):
    """{stage: {function: instructions}} for the kernel addresses of one call, in order."""
    counts = collections.defaultdict(collections.Counter)
    counts["SYSCALL"]["syscall"] = 1
    seen_c, last_c, called = False, None, "handler"
    handled = False                             # the handler has been called (and returned)
    for pc in trace:
        source, name = where(pc)
        if source.endswith(STUB_FILE):
            stage = "return stub" if seen_c else "entry stub"
        elif name == DISPATCHER:
            stage = "exit work" if handled else "dispatch"
        else:
            handled = True
            if last_c == DISPATCHER:            # the dispatcher called something: what is it?
                called = "exit work" if name == EXIT_WORK else "handler"
            stage = "switch" if called == "handler" and name in SWITCH else called
        if not source.endswith(STUB_FILE):
            seen_c, last_c = True, name
        counts[stage][name] += 1
    return counts


class TfProfile(gdb.Command):
    """Count the instructions of a system call, stage by stage.

Runs on to the SKIP+1th entry (default the first) of the SYSCALL door with RAX = NUMBER, then
steps one instruction at a time until the CPU is back in user mode, and prints each stage's
count with the functions in it. The guest must be running a program that makes that call."""

    NAME = "tf-profile"
    USAGE = "NUMBER [SKIP]"

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        argv = gdb.string_to_argv(argument)
        if not 1 <= len(argv) <= 2 or not all(a.isdigit() for a in argv):
            raise gdb.GdbError("tf-profile: usage: tf-profile NUMBER [SKIP]")
        number, skip = int(argv[0]), int(argv[1]) if len(argv) > 1 else 0
        stop = gdb.Breakpoint("*syscall_entry", internal=True, temporary=False)
        stop.condition = f"$rax == {number}"
        try:
            for _ in range(skip + 1):
                gdb.execute("continue", to_string=True)
        finally:
            stop.delete()
        trace, repeats = [], {}
        while int(gdb.parse_and_eval("$cs")) & 3 != 3:
            if len(trace) == MAX_STEPS:
                raise gdb.GdbError(f"tf-profile: still in the kernel after {MAX_STEPS} instructions")
            pc = int(gdb.parse_and_eval("$pc")) & (1 << 64) - 1
            trace.append(pc)
            gdb.execute("stepi", to_string=True)
            # QEMU's stub may stop without having run the instruction (an exit request on a
            # busy host): the same PC again is a step only for a repeated string instruction.
            if int(gdb.parse_and_eval("$pc")) & (1 << 64) - 1 == pc and not repeats.setdefault(pc, repeating(pc)):
                trace.pop()
        counts = stages_of(trace)
        total = sum(sum(c.values()) for c in counts.values())
        gdb.write(f"tf-profile: system call {number}, entry {skip + 1}: {total} instructions\n")
        for stage in STAGES:
            if stage in counts:
                parts = ", ".join(f"{name} {n}" for name, n in counts[stage].most_common())
                gdb.write(f"  {stage:<12} {sum(counts[stage].values()):>5}   {parts}\n")
