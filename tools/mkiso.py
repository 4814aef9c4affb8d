#!/usr/bin/env python3
"""tools/mkiso.py KERNEL ISO [CMDLINE [INITRD]]: a bootable GRUB (BIOS) ISO of KERNEL with
CMDLINE, and INITRD as the Multiboot2 module named "initrd".

The Makefile uses it for `make iso`, and the test harness for each command line it boots.
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent


def grub_quote(text):
    """Quote each word of text for grub.cfg. GRUB splits the multiboot2 line like a shell and
    joins the words again with spaces (double-quoting any word that holds a space), so the
    kernel sees the words as given here."""
    return " ".join("'" + word.replace("'", "'\\''") + "'" for word in text.split())


def make_iso(kernel, iso, cmdline="", initrd=None):
    template = (ROOT / "iso" / "grub.cfg.in").read_text()
    with tempfile.TemporaryDirectory() as tree:
        boot = pathlib.Path(tree) / "boot"
        (boot / "grub").mkdir(parents=True)
        shutil.copyfile(kernel, boot / "twofold.elf")
        modules = ""
        if initrd:
            shutil.copyfile(initrd, boot / "initrd.cpio")
            modules = "    module2 /boot/initrd.cpio initrd"
        config = template.replace("@CMDLINE@", grub_quote(cmdline)).replace("@MODULES@", modules)
        (boot / "grub" / "grub.cfg").write_text(config)
        result = subprocess.run(["grub-mkrescue", "-o", str(iso), tree],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"grub-mkrescue failed:\n{result.stdout}")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4, 5):
        sys.exit(__doc__)
    try:
        make_iso(*sys.argv[1:])
    except RuntimeError as error:
        sys.exit(str(error))
