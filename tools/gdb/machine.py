"""tools/gdb/machine.py: the stopped guest as GDB sees it through QEMU's GDB stub: its
registers, whether it is paging in long mode yet, its physical memory, and its virtual memory as
any set of page tables maps it.

Every failure is a gdb.GdbError with a one-line message, which GDB prints as it is.
"""
import struct

import gdb

import pagetables

CR0_PG = 1 << 31
CR4_PAE = 1 << 5
CR4_LA57 = 1 << 12
EFER_LMA = 1 << 10
DIRECT_MAP_BASE = 0xffff800000000000    # mm/layout.h: RAM at phys + DIRECT_MAP_BASE
TABLE_BYTES = pagetables.ENTRIES * 8


def read_registers(names):
    """The registers names (GDB's names: cr3, cs, gs_base, ...) of the selected CPU, as a dict
    of ints."""
    inferior = gdb.selected_inferior()
    if inferior.pid == 0 or inferior.connection is None:
        raise gdb.GdbError("not connected to a guest: `make debug` connects GDB to QEMU, or "
                           "`target remote localhost:PORT`")
    try:
        frame = gdb.selected_frame()
        return {name: int(frame.read_register(name)) & pagetables.MASK64 for name in names}
    except ValueError:
        raise gdb.GdbError(f"this target lacks one of the registers {'/'.join(names)}: "
                           "is it QEMU's GDB stub (qemu-system-x86_64)?") from None
    except gdb.error as error:
        raise gdb.GdbError(f"cannot read the registers {'/'.join(names)}: {error}") from None


def control_registers():
    """cr0, cr3, cr4 and efer of the selected CPU, as a dict of ints."""
    return read_registers(("cr0", "cr3", "cr4", "efer"))


def paging_registers():
    """control_registers(), once the CPU translates addresses through four-level tables (long
    mode, paging on); until then a GdbError says what is missing."""
    regs = control_registers()
    if not regs["cr0"] & CR0_PG:
        raise gdb.GdbError(f"paging is off (CR0.PG clear, cr0=0x{regs['cr0']:x}): the CPU has not "
                           "reached long mode yet; `continue` to kmain first")
    if not regs["efer"] & EFER_LMA:
        raise gdb.GdbError(f"not in long mode (EFER.LMA clear, efer=0x{regs['efer']:x}): "
                           "these are not four-level tables; `continue` to kmain first")
    if regs["cr4"] & CR4_LA57:
        raise gdb.GdbError("five-level paging (CR4.LA57) is on; these helpers walk four levels")
    return regs


class PhysicalMemory:
    """Physical memory of the stopped guest, for a `with` block: through QEMU's physical
    memory mode (the Qqemu.PhyMemMode packet) where the stub has it, so it works whatever the
    current CR3 maps, and through the kernel's direct map otherwise. The mode is switched off
    again when the block ends, however it ends. Tables read are kept for the block's life."""

    def __enter__(self):
        self.inferior = gdb.selected_inferior()
        self.connection = self.inferior.connection
        self.physical_mode = self._stub_has_phys_mode() and self._set_phys_mode(True)
        self.tables = {}
        return self

    def __exit__(self, *exc):
        if self.physical_mode:
            self._set_phys_mode(False)

    def _send(self, packet):
        """The stub's reply to packet, as text ("" when the stub does not know it)."""
        try:
            reply = self.connection.send_packet(packet)
        except gdb.error as error:
            raise gdb.GdbError(f"the GDB stub did not answer {packet}: {error}") from None
        return reply.decode("ascii", "replace") if isinstance(reply, bytes) else reply

    def _stub_has_phys_mode(self):
        return (isinstance(self.connection, gdb.RemoteTargetConnection)
                and "PhyMemMode" in self._send("qqemu.Supported").split(";"))

    def _set_phys_mode(self, on):
        return self._send(f"Qqemu.PhyMemMode:{int(on)}") == "OK"

    def read(self, phys, length):
        """length bytes of physical memory from phys."""
        address = phys if self.physical_mode else DIRECT_MAP_BASE + phys
        try:
            return bytes(self.inferior.read_memory(address, length))
        except gdb.MemoryError:
            how = "" if self.physical_mode else (f" through the kernel's direct map (0x{address:x}); the GDB "
                                                 "stub has no physical-memory mode")
            raise gdb.GdbError(f"cannot read physical memory at 0x{phys:x}{how}") from None

    def read_virtual(self, root, va, length):
        """length bytes from virtual va as the tables at physical root map it, whatever the
        access rights: so the kernel's memory can be read while the CPU runs on a CR3 that does
        not map it (a user CR3 under page-table isolation)."""
        chunks = []
        while length:
            if not pagetables.is_canonical(va):
                raise gdb.GdbError(f"0x{va & pagetables.MASK64:x} is not a canonical address")
            mapping = pagetables.walk(self.table, root, va).mapping
            if mapping is None:
                raise gdb.GdbError(f"0x{va:x} is not mapped in the address space at 0x{root:x}")
            piece = min(length, mapping.page_size - va % mapping.page_size)
            chunks.append(self.read(mapping.phys, piece))
            va, length = va + piece, length - piece
        return b"".join(chunks)

    def table(self, phys):
        """The 512 entries of the page table at physical phys, read in one block."""
        if phys not in self.tables:
            self.tables[phys] = struct.unpack(f"<{pagetables.ENTRIES}Q", self.read(phys, TABLE_BYTES))
        return self.tables[phys]
