#!/usr/bin/env python3
"""tools/twofold_bochs.py: boot a Twofold ISO in Bochs, whose CPU models have PCID and
INVPCID (QEMU's TCG has neither).

Bochs is built with its debugger here, so it reads commands from an rc file ("c": run);
its display must be `term`, which needs a terminal, so it runs under `script` with a
pseudo-terminal. The serial port goes to a file. The kernel ends Bochs by writing
"Shutdown" to port 0x8900 (arch/x86_64/drivers/power.c); Bochs does not pass the kernel's status
on, so callers read the serial log.

Bochs says little when it cannot start (its terminal display swallows the message), so
boot() first checks every file the configuration names and raises CannotStart naming the
missing one and its Debian package; when the serial log is empty it hands back the end of
Bochs's own log instead.
"""
import dataclasses
import pathlib
import subprocess
import tempfile

# The files Bochs opens, and the Debian package of each (tools/ensure-deps.sh probes them).
ROM_IMAGE = "/usr/share/bochs/BIOS-bochs-latest"
VGA_ROM_IMAGE = "/usr/share/bochs/VGABIOS-lgpl-latest"
TERM_PLUGIN = "/usr/lib/x86_64-linux-gnu/bochs/plugins/libbx_term_gui.so"
PACKAGES = {ROM_IMAGE: "bochsbios", VGA_ROM_IMAGE: "vgabios", TERM_PLUGIN: "bochs-term"}

CONFIG = """\
megs: 256
romimage: file={rom}
vgaromimage: file={vga_rom}
cpu: model={model}, count={cpus}, ips=100000000
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev={serial}
display_library: term
log: {log}
speaker: enabled=0
clock: sync=none
"""


class CannotStart(RuntimeError):
    """Bochs cannot run here; the message says what is missing."""


@dataclasses.dataclass
class Boot:
    serial: str             # everything the kernel printed
    timed_out: bool
    bochs_log: str          # the end of Bochs's own log: why it stopped, when the serial is empty


def missing_files(files):
    """The messages for those of files ({path: package}) that do not exist (-e semantics: a
    link whose target is missing is missing)."""
    return [f"{path} is missing (Debian package {package})"
            for path, package in files.items() if not pathlib.Path(path).exists()]


def boot(iso, model="corei7_skylake_x", timeout=300, rom=ROM_IMAGE, vga_rom=VGA_ROM_IMAGE, cpus=1):
    """Run iso in Bochs on cpus CPUs of model until it shuts down (rom and vga_rom: other ROM
    images, for tests). Returns a Boot; raises CannotStart if a file Bochs needs is missing."""
    problems = missing_files({rom: PACKAGES[ROM_IMAGE], vga_rom: PACKAGES[VGA_ROM_IMAGE],
                              TERM_PLUGIN: PACKAGES[TERM_PLUGIN]})
    if problems:
        raise CannotStart("Bochs cannot start: " + "; ".join(problems))
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        serial, log = work / "serial.txt", work / "bochs.log"
        (work / "bochsrc").write_text(CONFIG.format(rom=rom, vga_rom=vga_rom, model=model, cpus=cpus,
                                                    iso=pathlib.Path(iso).resolve(), serial=serial, log=log))
        (work / "rc").write_text("c\n")
        command = f"bochs -q -f {work / 'bochsrc'} -rc {work / 'rc'}"
        try:
            subprocess.run(["script", "-qfc", command, "/dev/null"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        text = serial.read_text(errors="replace") if serial.exists() else ""
        bochs_log = log.read_text(errors="replace") if log.exists() else "(Bochs wrote no log)"
        return Boot(text.replace("\r\n", "\n"), timed_out, "\n".join(bochs_log.splitlines()[-30:]))
