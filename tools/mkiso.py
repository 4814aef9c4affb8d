#!/usr/bin/env python3
"""tools/mkiso.py KERNEL ISO [CMDLINE]: a bootable GRUB (BIOS) ISO of KERNEL with CMDLINE.

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


def make_iso(kernel, iso, cmdline=""):
    template = (ROOT / "iso" / "grub.cfg.in").read_text()
    with tempfile.TemporaryDirectory() as tree:
        boot = pathlib.Path(tree) / "boot"
        (boot / "grub").mkdir(parents=True)
        shutil.copyfile(kernel, boot / "twofold.elf")
        (boot / "grub" / "grub.cfg").write_text(template.replace("@CMDLINE@", grub_quote(cmdline)))
        result = subprocess.run(["grub-mkrescue", "-o", str(iso), tree],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"grub-mkrescue failed:\n{result.stdout}")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    try:
        make_iso(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) == 4 else "")
    except RuntimeError as error:
        sys.exit(str(error))
