"""tools/gdb/kstate.py: the kernel's own data: this CPU's struct cpu, the process table and trap
frames, read through the kernel's page tables, so that they read the same whether the CPU is
stopped in the kernel or in user mode on a user CR3 that maps almost none of the kernel
(page-table isolation).

Names, types and offsets come from the kernel's debug information (its symbols and
gdb.lookup_type), so these helpers follow the C structs as they change. Every failure is a
gdb.GdbError with a one-line message.
"""
import dataclasses
import functools
import os

import gdb

import machine
import pagetables

PAGE = 4096
RING = 3                            # the privilege level in the low bits of CS


def symbol(name):
    """The kernel variable name (global or file-static) as a lazy gdb.Value: its address and
    type are known without reading memory."""
    found = gdb.lookup_global_symbol(name) or gdb.lookup_static_symbol(name)
    if found is None:
        raise gdb.GdbError(f"the kernel has no variable '{name}': are these the symbols of "
                           "Twofold's twofold.elf?")
    return found.value()


def struct_type(name):
    """The kernel's struct name, from its debug information."""
    try:
        return gdb.lookup_type(f"struct {name}")
    except gdb.error:
        raise gdb.GdbError(f"the kernel's debug information has no struct {name}: are these the "
                           "symbols of Twofold's twofold.elf?") from None


def enum_word(value):
    """An enumerator in lower case without the prefix its enum's names share:
    PROCESS_RUNNING is "running"."""
    shared = os.path.commonprefix([field.name for field in value.type.strip_typedefs().fields()])
    return str(value).removeprefix(shared[:shared.rfind("_") + 1]).lower()


def process_label(process):
    """A struct process value as a person names it: "pid 3 (cr3demo)"."""
    return f"pid {int(process['pid'])} ({process['name'].string()})"


@dataclasses.dataclass
class ThisCpu:
    """The struct cpu of the CPU GDB has selected."""
    address: int
    index: int                      # in cpus[]
    found_by: str                   # "GS base" or "KERNEL_GS_BASE"
    value: gdb.Value


class Kernel(machine.PhysicalMemory):
    """The stopped kernel, for a `with` block: its registers, this CPU's struct cpu and its
    memory, all read through physical memory (see PhysicalMemory)."""

    def __enter__(self):
        self.regs = {**machine.paging_registers(), **machine.read_registers(("cs", "gs_base", "k_gs_base"))}
        return super().__enter__()

    @property
    def user_mode(self):
        """Whether the CPU is stopped in user mode (ring 3)."""
        return self.regs["cs"] & RING == RING

    @functools.cached_property
    def this_cpu(self):
        """This CPU's ThisCpu, or None before percpu_init_cpu has set one up. GS base points at
        it in the kernel, KERNEL_GS_BASE in user mode (swapgs exchanges the two on every entry
        and exit); both are tried, the likelier first, because the first instructions of an
        entry run in kernel mode before their swapgs. A candidate counts only if it is an element
        of cpus[] whose self field points at itself. It is read through the current CR3: the
        entry area that holds cpus[] is mapped in every one."""
        cpus = symbol("cpus")
        base, size = int(cpus.address), cpus.type.target().sizeof
        count = cpus.type.sizeof // size
        candidates = [("GS base", self.regs["gs_base"]), ("KERNEL_GS_BASE", self.regs["k_gs_base"])]
        for found_by, address in candidates[::-1] if self.user_mode else candidates:
            index, offset = divmod(address - base, size)
            if 0 <= index < count and offset == 0:
                raw = self.read_virtual(self.regs["cr3"] & pagetables.ADDR_MASK, address, size)
                value = gdb.Value(raw, cpus.type.target())
                if int(value["self"]) == address:
                    return ThisCpu(address, index, found_by, value)
        return None

    def require_cpu(self):
        """this_cpu, or a GdbError that says why there is none."""
        if self.this_cpu is None:
            raise gdb.GdbError(f"no struct cpu at GS base 0x{self.regs['gs_base']:x} or KERNEL_GS_BASE "
                               f"0x{self.regs['k_gs_base']:x}: percpu_init_cpu has not run yet")
        return self.this_cpu

    @functools.cached_property
    def root(self):
        """The physical address of the tables kernel memory is read through: this CPU's entry
        CR3 (the current process's kernel CR3, which maps the whole kernel), or before there is a
        struct cpu the current CR3 (then the CPU cannot have left the kernel yet)."""
        cr3 = int(self.this_cpu.value["entry_cr3"]) if self.this_cpu else self.regs["cr3"]
        return cr3 & pagetables.ADDR_MASK

    def value(self, type_, address):
        """The object of type type_ at kernel virtual address as a gdb.Value."""
        return gdb.Value(self.read_virtual(self.root, address, type_.sizeof), type_)

    def string(self, address, limit=256):
        """The NUL-terminated string at kernel virtual address (at most limit bytes of it)."""
        data = b""
        while b"\0" not in data and len(data) < limit:
            at = address + len(data)
            data += self.read_virtual(self.root, at, min(limit - len(data), PAGE - at % PAGE))
        return data.split(b"\0")[0].decode("utf-8", "replace")

    def processes(self):
        """Every live process as {address: struct process value}, by pid: the non-empty slots
        of the kernel's process table."""
        slots = symbol("slots")
        table = self.value(slots.type, int(slots.address))
        low, high = slots.type.range()
        process_type = struct_type("process")
        addresses = [int(table[i]) for i in range(low, high + 1)]
        found = [(address, self.value(process_type, address)) for address in addresses if address]
        return dict(sorted(found, key=lambda item: int(item[1]["pid"])))

    def current_process(self):
        """(address, struct process value) of the process this CPU runs, or None."""
        address = int(self.this_cpu.value["current"]) if self.this_cpu else 0
        return (address, self.value(struct_type("process"), address)) if address else None

    def vector_name(self, vector):
        """What the kernel calls vector: its exception_names[] entry for an exception (as
        exception_name() says), the VEC_* name of the int 0x80 gate and the SYSCALL and SYSENTER
        pseudo-vectors, "interrupt" for any other."""
        vectors = gdb.parse_and_eval("EXCEPTION_VECTORS")
        if vector < int(vectors):
            names = symbol("exception_names")
            pointer = names.type.target()
            return self.string(int(self.value(pointer, int(names.address) + vector * pointer.sizeof)))
        named = [field.name for field in vectors.type.fields() if field.enumval == vector]
        return named[0] if named else "interrupt"
