"""tests/test_tools.py: the set-up tools themselves. On a fresh machine `make test` must
install every package whose files the emulators open (a link from one package into another
that nothing installed once left Bochs with an empty serial log), and an emulator that cannot
start must say what is missing rather than leave an empty log."""
import re
import subprocess

import pytest

import twofold_bochs
from conftest import ROOT


def probes():
    """tools/ensure-deps.sh's (package, probe) pairs."""
    out = subprocess.run(["sh", str(ROOT / "tools" / "ensure-deps.sh"), "--list"], check=True,
                         capture_output=True, text=True).stdout
    return [tuple(line.split(":", 1)) for line in out.split()]


@pytest.mark.parametrize("path", sorted(twofold_bochs.PACKAGES))
def test_ensure_deps_probes_every_file_bochs_opens(path):
    assert (twofold_bochs.PACKAGES[path], path) in probes()


def test_ensure_deps_probes_the_firmware_qemu_opens():
    """The files QEMU 7.2 opens for this machine (seen with strace), each from its package."""
    probed = {probe for _, probe in probes()}
    for path in ("/usr/share/seabios/bios-256k.bin", "/usr/share/seabios/vgabios-stdvga.bin",
                 "/usr/share/qemu/kvmvapic.bin", "/usr/lib/ipxe/qemu/efi-e1000.rom"):
        assert path in probed, path


def test_every_probe_names_an_absolute_file_or_a_command():
    for package, probe in probes():
        assert re.fullmatch(r"[a-z0-9.+-]+", package), package
        assert probe.startswith("/") or "/" not in probe, probe


def test_bochs_without_its_vga_bios_names_what_is_missing(tmp_path):
    missing = tmp_path / "VGABIOS-lgpl-latest"
    missing.symlink_to(tmp_path / "no-such-target")         # the dangling link of a fresh machine
    with pytest.raises(twofold_bochs.CannotStart) as error:
        twofold_bochs.boot(tmp_path / "never-read.iso", vga_rom=str(missing))
    assert str(error.value) == f"Bochs cannot start: {missing} is missing (Debian package vgabios)"
