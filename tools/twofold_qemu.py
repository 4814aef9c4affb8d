#!/usr/bin/env python3
"""tools/twofold_qemu.py: boot a Twofold ISO in QEMU, the one place that knows how.

`make run` uses it from the command line (serial console on the terminal, Ctrl-A X quits);
the test harness imports boot() to run a guest to its end under a time limit.

Always TCG: never KVM on these machines (a KVM guest makes no progress there).
The guest ends itself through QEMU's isa-debug-exit device, which makes QEMU exit with
2 * status + 1 (arch/x86_64/power.h); kernel_status() turns that back into the status.
"""
import argparse
import dataclasses
import subprocess
import sys

DEBUG_EXIT = "isa-debug-exit,iobase=0xf4,iosize=0x04"
STATUS_OK = 0
STATUS_TESTS_FAILED = 1
STATUS_UNSUPPORTED_CPU = 125
STATUS_PANIC = 126


def qemu_command(iso, cpu="max", mem="256M", serial="stdio", gdb=None):
    """QEMU's command line for iso. gdb: a chardev for QEMU's GDB stub (e.g. "tcp:localhost:25000",
    "unix:PATH,server=on,wait=off"); the guest then waits, stopped before its first
    instruction, for GDB to let it run."""
    command = [
        "qemu-system-x86_64",
        "-accel", "tcg",
        "-cpu", cpu,
        "-m", mem,
        "-smp", "1",
        "-no-reboot",           # a triple fault ends QEMU (exit 0) instead of looping
        "-display", "none",
        "-serial", serial,
        "-device", DEBUG_EXIT,
        "-boot", "d",
        "-cdrom", str(iso),
    ]
    if gdb:
        command += ["-S", "-gdb", gdb]
    return command


def kernel_status(returncode):
    """The status the kernel passed to power_off(), or None if it did not power off
    (QEMU exited 0 after a reset or triple fault, or failed by itself)."""
    if returncode > 0 and returncode % 2 == 1:
        return (returncode - 1) // 2
    return None


@dataclasses.dataclass
class Boot:
    serial: str             # everything the kernel printed
    status: int | None      # kernel_status(), None if it never powered off
    timed_out: bool
    stderr: str

    def describe(self):
        if self.timed_out:
            return "timed out (hang?)"
        if self.status is None:
            return "QEMU ended without a power-off (triple fault or reset?)"
        names = {STATUS_OK: "ok", STATUS_TESTS_FAILED: "tests failed",
                 STATUS_UNSUPPORTED_CPU: "unsupported CPU", STATUS_PANIC: "kernel panic"}
        return f"powered off with status {self.status} ({names.get(self.status, 'init status')})"

    def tail(self, lines=40):
        return "\n".join(self.serial.splitlines()[-lines:])


def boot(iso, cpu="max", mem="256M", timeout=120):
    """Run iso to its end; a guest still running after timeout seconds is killed."""
    proc = subprocess.Popen(qemu_command(iso, cpu, mem), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        timed_out = True
    serial = out.decode("utf-8", "replace").replace("\r\n", "\n")
    status = None if timed_out else kernel_status(proc.returncode)
    return Boot(serial, status, timed_out, err.decode("utf-8", "replace"))


def main():
    parser = argparse.ArgumentParser(description="Boot a Twofold ISO in QEMU on this terminal.")
    parser.add_argument("--iso", required=True)
    parser.add_argument("--cpu", default="max")
    parser.add_argument("--mem", default="256M")
    args = parser.parse_args()
    # mon:stdio: the serial port on this terminal, with QEMU's monitor behind Ctrl-A C.
    returncode = subprocess.call(qemu_command(args.iso, args.cpu, args.mem, serial="mon:stdio"))
    status = kernel_status(returncode)
    sys.exit(returncode if status is None else status)


if __name__ == "__main__":
    main()
