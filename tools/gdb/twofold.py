"""tools/gdb/twofold.py: GDB commands for looking inside a running Twofold (`source` this file;
`make debug` does). `tf` lists them; `help tf-NAME` describes one.

A command is a TwofoldCommand subclass with a NAME, a docstring (its first line is its summary
in `tf`) and a run(argv) method, listed in COMMANDS. The page-table logic is pagetables.py
(no GDB in it); reading the guest is machine.py; the kernel's own structures (struct cpu, the
process table, trap frames) are kstate.py.
"""
import importlib
import os
import sys

import gdb

_here = os.path.dirname(os.path.abspath(__file__))
if _here not in sys.path:
    sys.path.insert(0, _here)
# Sourcing this file again (after editing the helpers) picks up the edits.
for _module in ("pagetables", "machine", "kstate", "stages"):
    if _module in sys.modules:
        importlib.reload(sys.modules[_module])

import kstate  # noqa: E402
import machine  # noqa: E402
import pagetables  # noqa: E402
import stages  # noqa: E402

# RFLAGS bits by name (Intel SDM volume 1, 3.4.3); IOPL, bits 12 and 13, is a number.
RFLAGS_BITS = (("CF", 0), ("PF", 2), ("AF", 4), ("ZF", 6), ("SF", 7), ("TF", 8), ("IF", 9), ("DF", 10),
               ("OF", 11), ("NT", 14), ("RF", 16), ("VM", 17), ("AC", 18), ("VIF", 19), ("VIP", 20), ("ID", 21))
# The functions whose `frame` argument tf-frame shows by default, and how far up GDB's
# backtrace it looks for them.
DISPATCHERS = ("trap_dispatch", "syscall_dispatch")
DISPATCHER_SEARCH_FRAMES = 32


class TwofoldCommand(gdb.Command):
    """Base of the tf-* commands: splits the argument like a shell and turns every error into
    a one-line message that starts with the command's name."""
    NAME = ""
    USAGE = ""

    def __init__(self):
        super().__init__(self.NAME, gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        try:
            self.run(gdb.string_to_argv(argument))
        except (gdb.error, gdb.GdbError) as error:
            raise gdb.GdbError(f"{self.NAME}: {error}") from None

    def usage_error(self, problem):
        return gdb.GdbError(f"{problem}; usage: {self.NAME} {self.USAGE}".rstrip())


def evaluate_address(text, what):
    """The 64-bit value of the GDB expression text (a function or array stands for its
    address), or a GdbError naming what it was meant to be."""
    try:
        value = gdb.parse_and_eval(text)
        if value.type.strip_typedefs().code in (gdb.TYPE_CODE_FUNC, gdb.TYPE_CODE_ARRAY):
            value = value.address
        return int(value) & pagetables.MASK64
    except gdb.error as error:
        raise gdb.GdbError(f"{what} '{text}' is not an address: {error}") from None


def cr3_argument(argv, position, regs):
    """The CR3 value argv[position] gives (an expression), or the CPU's own when it is absent."""
    if len(argv) <= position:
        return regs["cr3"]
    cr3 = evaluate_address(argv[position], "CR3")
    if cr3 & ~(pagetables.ADDR_MASK | 0xfff | pagetables.NX):
        raise gdb.GdbError(f"0x{cr3:x} is not a CR3 value: bits 52..62 are set")
    return cr3


class Tf(gdb.Command):
    """List the Twofold helpers (tf-*). `help tf-NAME` describes one."""

    def __init__(self):
        super().__init__("tf", gdb.COMMAND_DATA)

    def invoke(self, argument, from_tty):
        for command in COMMANDS:
            summary = command.__doc__.splitlines()[0]
            gdb.write(f"  {(command.NAME + ' ' + command.USAGE).strip():<22} {summary}\n")


class TfCr3(TwofoldCommand):
    """Decode CR3: the top-level table's physical address, and PCID or PWT/PCD.

With CR4.PCIDE set, bits 0..11 of CR3 are the PCID; otherwise bits 3 and 4 are PWT and PCD,
the cache attributes used to read the top-level table."""
    NAME = "tf-cr3"

    def run(self, argv):
        if argv:
            raise self.usage_error("no arguments expected")
        regs = machine.paging_registers()
        for line in pagetables.describe_cr3(regs["cr3"], regs["cr4"]):
            gdb.write(line + "\n")


class TfWalk(TwofoldCommand):
    """Walk the page tables for VA: each level's entry, then where VA leads.

VA and CR3 are GDB expressions (tf-walk &kmain, tf-walk $rsp, tf-walk 0x1000 0x14d000); CR3
defaults to the CPU's. Each entry read is shown with its index, raw value, the physical
address it holds and its flags (P RW US PWT PCD A D PS G NX, PAT where bit 7 or 12 means
that); the walk stops at a non-present entry or a large page. The effective permissions are
user only if every level has US, RW only if every level has RW, NX if any level has NX."""
    NAME = "tf-walk"
    USAGE = "VA [CR3]"

    def run(self, argv):
        if len(argv) not in (1, 2):
            raise self.usage_error("expected one or two arguments (quote an expression with spaces)")
        va = evaluate_address(argv[0], "VA")
        regs = machine.paging_registers()
        cr3 = cr3_argument(argv, 1, regs)
        if not pagetables.is_canonical(va):
            raise gdb.GdbError(f"0x{va:016x} is not canonical (bits 63..47 differ): no table maps it")
        with machine.PhysicalMemory() as memory:
            result = pagetables.walk(memory.table, cr3 & pagetables.ADDR_MASK, va)
        gdb.write(f"walk 0x{va:016x} with cr3 0x{cr3:016x}\n")
        for step in result.steps:
            slot = f"{step.level.name}[{step.index}]"
            if step.raw & pagetables.P:
                flags = " ".join(pagetables.flag_names(step.raw, step.level))
                gdb.write(f"  {slot:<10} 0x{step.raw:016x} -> 0x{step.address():016x} {flags}\n")
            else:
                gdb.write(f"  {slot:<10} 0x{step.raw:016x} not present\n")
        m = result.mapping
        if m is None:
            gdb.write(f"0x{va:016x}: not present (at {slot})\n")
        else:
            gdb.write(f"0x{va:016x} -> physical 0x{m.phys:016x}, "
                      f"{pagetables.PAGE_SIZE_NAMES[m.page_size]} page, {m.permissions()}"
                      f"{', global' if m.global_ else ''}\n")


class TfPtdump(TwofoldCommand):
    """Print the whole address space as ranges, exactly as the kernel's ptdump does.

One line per run of leaf mappings that are contiguous in virtual addresses and share page
size and effective permissions: start-end (end exclusive) size user|kernel RW|ro x|NX G|-
4K|2M|1G, between the lines "ptdump cr3=..." and "ptdump end". CR3 (an expression) defaults
to the CPU's."""
    NAME = "tf-ptdump"
    USAGE = "[CR3]"

    def run(self, argv):
        if len(argv) > 1:
            raise self.usage_error("expected at most one argument")
        regs = machine.paging_registers()
        cr3 = cr3_argument(argv, 0, regs)
        with machine.PhysicalMemory() as memory:
            lines = pagetables.ptdump(memory.table, cr3 & pagetables.ADDR_MASK)
        gdb.write("\n".join(lines) + "\n")


class TfPs(TwofoldCommand):
    """List the processes: pid, parent, state, name, kernel CR3 and user CR3.

From the kernel's process table (slots in kernel/proc/process.c); `*` marks the process this CPU
runs (its struct cpu's current). The kernel CR3 is what the kernel runs on for the process; the
user CR3 is what the process runs on in user mode: with page-table isolation (kpti=on) a table
of its own that maps only the kernel's entry area, with kpti=off the kernel CR3 itself. Works
stopped in user mode too: the kernel's memory is read through the kernel CR3."""
    NAME = "tf-ps"

    def run(self, argv):
        if argv:
            raise self.usage_error("no arguments expected")
        with kstate.Kernel() as kernel:
            processes = kernel.processes()
            if not processes:
                gdb.write("no processes yet (process_start_init starts the first)\n")
                return
            current = kernel.current_process()
            gdb.write(f"  {'PID':>5} {'PPID':>5} {'STATE':<9} {'NAME':<15} {'KERNEL CR3':<18} USER CR3\n")
            for address, process in processes.items():
                parent = int(process["parent"])
                ppid = int(kernel.value(process.type, parent)["pid"]) if parent else 0
                mark = "*" if current and current[0] == address else " "
                gdb.write(f"{mark} {int(process['pid']):>5} {ppid:>5} {kstate.enum_word(process['state']):<9} "
                          f"{process['name'].string():<15} 0x{int(process['kernel_cr3']):016x} "
                          f"0x{int(process['user_cr3']):016x}\n")
            if current:
                gdb.write(f"* runs on CPU {kernel.this_cpu.index}\n")


def cpu_field_text(kernel, cpu, field):
    """One field of struct cpu in words: a pointer to a process with its pid and name, a
    pointer to the struct itself said so, an array as the addresses it spans, a 64-bit number
    in hex, anything else as GDB prints it."""
    value = cpu.value[field]
    kind = value.type.strip_typedefs()
    if kind.code == gdb.TYPE_CODE_PTR:
        address = int(value)
        if not address:
            return "NULL"
        if kind.target().strip_typedefs().tag == "process":
            return f"0x{address:016x} {kstate.process_label(kernel.value(kind.target(), address))}"
        return f"0x{address:016x}{' (itself)' if address == cpu.address else ''}"
    if kind.code == gdb.TYPE_CODE_ARRAY:
        start = cpu.address + field.bitpos // 8
        return f"{value.type} at 0x{start:016x}-0x{start + kind.sizeof:016x}"
    if kind.code == gdb.TYPE_CODE_INT and kind.sizeof == 8:
        return f"0x{int(value):016x}"
    return str(value)


class TfCpu(TwofoldCommand):
    """Show this CPU's per-CPU data (struct cpu), every field decoded.

Found through GS base in the kernel and through KERNEL_GS_BASE in user mode (swapgs exchanges
the two). Its fields, from the kernel's debug information: the self pointer, the current
process's kernel stack top, the user RSP the SYSCALL door parks, the CR3 every entry loads
(entry_cr3: the current process's kernel CR3) and every exit to user mode loads (exit_cr3: its
user CR3), the current process by pid and name, and where the SYSENTER and trampoline stacks
lie."""
    NAME = "tf-cpu"

    def run(self, argv):
        if argv:
            raise self.usage_error("no arguments expected")
        with kstate.Kernel() as kernel:
            cpu = kernel.require_cpu()
            gdb.write(f"struct cpu at 0x{cpu.address:016x}: cpus[{cpu.index}], found through {cpu.found_by} "
                      f"(stopped in {'user' if kernel.user_mode else 'kernel'} mode)\n")
            fields = cpu.value.type.fields()
            width = max(len(field.name) for field in fields)
            for field in fields:
                gdb.write(f"  {field.name:<{width}} {cpu_field_text(kernel, cpu, field)}\n")


class TfCpus(TwofoldCommand):
    """Show every CPU, a line each: its struct cpu, the mode it is stopped in, its CR3, and
the process it runs.

QEMU's GDB stub presents each CPU as a thread; this visits them all and comes back to the one
selected (`thread N` selects another, for tf-cpu and the rest). A CPU with no struct cpu yet
(one not started, still in its trampoline) says so."""
    NAME = "tf-cpus"

    def run(self, argv):
        if argv:
            raise self.usage_error("no arguments expected")
        selected = gdb.selected_thread()
        try:
            for thread in sorted(gdb.selected_inferior().threads(), key=lambda t: t.num):
                thread.switch()
                with kstate.Kernel() as kernel:
                    gdb.write(f"thread {thread.num}: {cpu_line(kernel)}\n")
        finally:
            selected.switch()


def cpu_line(kernel):
    """The CPU GDB has selected in a line: "cpus[1], kernel mode, CR3 0x..., runs nothing"."""
    mode = "user" if kernel.user_mode else "kernel"
    cpu = kernel.this_cpu
    if cpu is None:
        return f"no struct cpu yet, {mode} mode, CR3 0x{kernel.regs['cr3']:016x}"
    current = int(cpu.value["current"])
    runs = (kstate.process_label(kernel.value(cpu.value["current"].type.target(), current)) if current
            else "nothing (idle)")
    return f"cpus[{cpu.index}], {mode} mode, CR3 0x{kernel.regs['cr3']:016x}, runs {runs}"


def dispatcher_argument():
    """(address, what it is) of the `frame` argument of the innermost of DISPATCHERS at or
    above GDB's selected frame, or None when there is none or GDB cannot recover the argument
    there (optimized out, or an unwinding error)."""
    try:
        frame = gdb.selected_frame()
        for _ in range(DISPATCHER_SEARCH_FRAMES):
            if frame is None:
                return None
            if frame.name() in DISPATCHERS:
                return int(frame.read_var("frame")), f"the frame argument of {frame.name()}"
            frame = frame.older()
    except (gdb.error, ValueError):
        pass
    return None


def rflags_text(rflags):
    """RFLAGS with the names of the flags set: "0x246 [PF ZF IF]"."""
    names = [name for name, bit in RFLAGS_BITS if rflags >> bit & 1]
    if rflags >> 12 & 3:
        names.append(f"IOPL={rflags >> 12 & 3}")
    return f"0x{rflags:x} [{' '.join(names)}]"


class TfFrame(TwofoldCommand):
    """Decode a trap frame: vector, error code, the mode it came from, every register.

ADDRESS (an expression) is where the frame lies. Without it: the `frame` argument of
trap_dispatch or syscall_dispatch when GDB's backtrace holds one at or above the selected
frame, else the frame at the top of the current process's kernel stack, which holds the user
registers of its last entry into the kernel (process_frame() in kernel/proc/process.h). The layout
is struct trap_frame's, from the kernel's debug information."""
    NAME = "tf-frame"
    USAGE = "[ADDRESS]"

    def run(self, argv):
        if len(argv) > 1:
            raise self.usage_error("expected at most one argument")
        with kstate.Kernel() as kernel:
            frame_type = kstate.struct_type("trap_frame")
            if argv:
                address, origin = evaluate_address(argv[0], "ADDRESS"), "as given"
            else:
                address, origin = dispatcher_argument() or self.current_process_frame(kernel, frame_type)
            frame = kernel.value(frame_type, address)
            vector, cs = int(frame["vector"]), int(frame["cs"])
            gdb.write(f"trap frame at 0x{address:016x}, {origin}\n")
            gdb.write(f"  vector {vector} ({kernel.vector_name(vector)}), error code 0x{int(frame['error_code']):x}, "
                      f"from {'user' if cs & kstate.RING == kstate.RING else 'kernel'} mode "
                      f"(cs 0x{cs:x}: ring {cs & kstate.RING})\n")
            gdb.write(f"  rip {gdb.format_address(int(frame['rip']))}  rsp 0x{int(frame['rsp']):x}  "
                      f"rflags {rflags_text(int(frame['rflags']))}\n")
            names = [field.name for field in frame_type.fields()]
            width = max(len(name) for name in names)
            cells = [f"{name:<{width}} 0x{int(frame[name]):016x}" for name in names]
            for row in range(0, len(cells), 4):
                gdb.write("  " + "  ".join(cells[row:row + 4]) + "\n")

    @staticmethod
    def current_process_frame(kernel, frame_type):
        """(address, what it is) of the frame at the top of the current process's kernel stack."""
        current = kernel.current_process()
        if current is None:
            raise gdb.GdbError("no current process and no trap_dispatch or syscall_dispatch in the "
                               "backtrace: give the frame's ADDRESS")
        process = current[1]
        return (int(process["kstack_top"]) - frame_type.sizeof,
                f"the top of {kstate.process_label(process)}'s kernel stack (its user registers as last saved)")


COMMANDS = (TfCr3, TfWalk, TfPtdump, TfPs, TfCpu, TfCpus, TfFrame, stages.TfProfile)

Tf()
for _command in COMMANDS:
    _command()
