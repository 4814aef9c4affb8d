"""tests/fuzz/seeds.py: write the fuzzers' seed corpora (tools/fuzz.mk runs it; nothing
binary is kept in the tree). Usage: seeds.py OUT [ELF...]: OUT/cpio gets a small initrd
archive, OUT/elf a minimal static executable and a copy of each ELF named."""
import pathlib
import shutil
import struct
import sys

PT_LOAD, PT_GNU_STACK = 1, 0x6474E551
PF_X, PF_W, PF_R = 1, 2, 4
BASE = 0x400000
EXIT_0 = bytes.fromhex("b83c000000" "31ff" "0f05")     # mov eax, 60; xor edi, edi; syscall


def tiny_elf():
    """A static executable: headers and code in an RX segment, 8 bytes of data and some bss
    in an RW segment on the next page, and a PT_GNU_STACK."""
    phnum = 3
    code = 64 + 56 * phnum
    data = code + len(EXIT_0)
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, BASE + code, 64, 0, 0, 64, 56,
                               phnum, 0, 0, 0)

    def phdr(p_type, flags, offset, vaddr, filesz, memsz):
        return struct.pack("<IIQQQQQQ", p_type, flags, offset, vaddr, vaddr, filesz, memsz, 4096)

    phdrs = (phdr(PT_LOAD, PF_R | PF_X, 0, BASE, data, data)
             + phdr(PT_LOAD, PF_R | PF_W, data, BASE + 0x1000 + data, 8, 0x100)
             + phdr(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0))
    return ehdr + phdrs + EXIT_0 + bytes(8)


def cpio_entry(name, mode, data=b""):
    """One newc entry; entries start 4-aligned, so padding to 4 here keeps the archive's."""
    name = name.encode() + b"\0"
    fields = (1, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0)
    out = b"070701" + b"".join(b"%08x" % f for f in fields) + name
    out += bytes(-len(out) % 4) + data
    return out + bytes(-len(out) % 4)


def initrd():
    return b"".join((cpio_entry(".", 0o40755), cpio_entry("bin", 0o40755),
                     cpio_entry("bin/init", 0o100755, tiny_elf()),
                     cpio_entry("./etc/motd", 0o100644, b"hello\n"),
                     cpio_entry("/dev/console", 0o20600), cpio_entry("TRAILER!!!", 0)))


def main():
    out = pathlib.Path(sys.argv[1])
    for kind in ("cpio", "elf"):
        (out / kind).mkdir(parents=True, exist_ok=True)
    (out / "cpio" / "initrd").write_bytes(initrd())
    (out / "elf" / "tiny").write_bytes(tiny_elf())
    for path in sys.argv[2:]:
        shutil.copyfile(path, out / "elf" / pathlib.Path(path).name)


if __name__ == "__main__":
    main()
