#!/usr/bin/env python3
"""tools/twofold_bochs.py: boot a Twofold ISO in Bochs, whose CPU models have PCID and
INVPCID (QEMU's TCG has neither).

Bochs is built with its debugger here, so it reads commands from an rc file ("c": run);
its display must be `term`, which needs a terminal, so it runs under `script` with a
pseudo-terminal. The serial port goes to a file. The kernel ends Bochs by writing
"Shutdown" to port 0x8900 (arch/x86_64/power.c); Bochs does not pass the kernel's status
on, so callers read the serial log.
"""
import pathlib
import subprocess
import tempfile

CONFIG = """\
megs: 256
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
cpu: model={model}, count=1, ips=100000000
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev={serial}
display_library: term
log: {log}
speaker: enabled=0
clock: sync=none
"""


def boot(iso, model="corei7_skylake_x", timeout=300):
    """Run iso in Bochs on CPU model until it shuts down; returns (serial log, timed out)."""
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        serial = work / "serial.txt"
        (work / "bochsrc").write_text(CONFIG.format(model=model, iso=pathlib.Path(iso).resolve(),
                                                    serial=serial, log=work / "bochs.log"))
        (work / "rc").write_text("c\n")
        command = f"bochs -q -f {work / 'bochsrc'} -rc {work / 'rc'}"
        try:
            subprocess.run(["script", "-qfc", command, "/dev/null"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        text = serial.read_text(errors="replace") if serial.exists() else ""
        return text.replace("\r\n", "\n"), timed_out
