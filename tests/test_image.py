"""tests/test_image.py: the kernel ELF as linker.ld promises it: loadable at -2 GiB, one
segment per permission and none writable and executable, the Multiboot2 header where GRUB
looks, and the section bounds exported."""
import struct
import subprocess

from conftest import KERNEL

PT_LOAD, PF_X, PF_W, PF_R = 1, 1, 2, 4
KERNEL_VMA = 0xffffffff80000000


def program_headers(data):
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        p_type, p_flags, _, vaddr, paddr, _, memsz, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        yield p_type, p_flags, vaddr, paddr, memsz


def test_segments_have_one_permission_each_and_none_is_wx():
    loads = [p for p in program_headers(KERNEL.read_bytes()) if p[0] == PT_LOAD]
    assert [flags for _, flags, *_ in loads] == [PF_R | PF_X, PF_R, PF_R | PF_W]
    for _, flags, vaddr, paddr, _ in loads:
        assert not (flags & PF_W and flags & PF_X)
        assert vaddr % 4096 == 0, "each segment must start on its own page"
        assert vaddr - paddr == KERNEL_VMA


def test_multiboot2_header_is_in_the_first_32_kib():
    data = KERNEL.read_bytes()[:32768]
    for offset in range(0, len(data) - 16, 8):
        magic, arch, length, checksum = struct.unpack_from("<IIII", data, offset)
        if magic == 0xE85250D6:
            assert (magic + arch + length + checksum) % 2**32 == 0
            return
    raise AssertionError("no Multiboot2 header in the first 32 KiB")


def test_section_bounds_are_exported():
    symbols = subprocess.run(["nm", str(KERNEL)], check=True, capture_output=True, text=True).stdout.split()
    for section in ("kernel", "text", "rodata", "data", "bss", "entry_text", "entry_data", "ktests", "ksyms"):
        if section == "kernel":
            assert "__kernel_start" in symbols and "__kernel_end" in symbols
        else:
            assert f"__{section}_start" in symbols and f"__{section}_end" in symbols, section
