"""tools/gdb/twofold.py: GDB commands for looking inside a running Twofold (`source` this file;
`make debug` does). `tf` lists them; `help tf-NAME` describes one.

A command is a TwofoldCommand subclass with a NAME, a docstring (its first line is its summary
in `tf`) and a run(argv) method, listed in COMMANDS. The page-table logic is pagetables.py
(no GDB in it); reading the guest is machine.py.
"""
import importlib
import os
import sys

import gdb

_here = os.path.dirname(os.path.abspath(__file__))
if _here not in sys.path:
    sys.path.insert(0, _here)
# Sourcing this file again (after editing the helpers) picks up the edits.
for _module in ("pagetables", "machine"):
    if _module in sys.modules:
        importlib.reload(sys.modules[_module])

import machine  # noqa: E402
import pagetables  # noqa: E402


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
        return gdb.GdbError(f"{problem}; usage: {self.NAME} {self.USAGE}")


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


COMMANDS = (TfCr3, TfWalk, TfPtdump)

Tf()
for _command in COMMANDS:
    _command()
