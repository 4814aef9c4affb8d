#!/usr/bin/env python3
"""tools/twofold_qemu.py: boot a Twofold ISO in QEMU, the one place that knows how.

`make run` uses it from the command line (serial console on the terminal, Ctrl-A X quits);
the test harness imports boot() to run a guest to its end under a time limit, optionally
typing on its console by a script: -serial stdio makes QEMU's stdin the guest's COM1 input;
gdb_batch() runs GDB commands against a guest under QEMU's GDB stub (the GDB tests, `make
profile`).

Always TCG: never KVM on these machines (a KVM guest makes no progress there).
The guest ends itself through QEMU's isa-debug-exit device, which makes QEMU exit with
2 * status + 1 (arch/x86_64/drivers/power.h); kernel_status() turns that back into the status.
"""
import argparse
import dataclasses
import os
import pathlib
import selectors
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
DEBUG_EXIT = "isa-debug-exit,iobase=0xf4,iosize=0x04"
STATUS_OK = 0
STATUS_TESTS_FAILED = 1
STATUS_UNSUPPORTED_CPU = 125
STATUS_PANIC = 126


def qemu_command(iso, cpu="max", mem="256M", serial="stdio", gdb=None, smp=1):
    """QEMU's command line for iso, with smp CPUs. gdb: a chardev for QEMU's GDB stub (e.g. "tcp:localhost:25000",
    "unix:PATH,server=on,wait=off"); the guest then waits, stopped before its first
    instruction, for GDB to let it run."""
    command = [
        "qemu-system-x86_64",
        "-accel", "tcg",
        "-cpu", cpu,
        "-m", mem,
        "-smp", str(smp),
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


def gdb_batch(iso, kernel, commands, workdir, cpu="max", smp=1, serial="null", timeout=60):
    """Boot iso under QEMU's GDB stub, stopped before its first instruction, and run gdb in
    batch mode on kernel's symbols: connected, with the tf-* helpers loaded (tools/gdb), then
    commands (lines). gdb's CompletedProcess (its output captured); QEMU is killed at the end,
    whatever happens. RuntimeError, with QEMU's errors, if its stub did not start."""
    sock, errors, script = (pathlib.Path(workdir) / name for name in ("gdb.sock", "qemu.err", "session.gdb"))
    sock.unlink(missing_ok=True)
    script.write_text("\n".join(["set python print-stack full", "set pagination off", "set width 0", "set architecture i386:x86-64",
                                  f"target remote {sock}", f"source {HERE / 'gdb' / 'twofold.py'}", *commands]) + "\n")
    with errors.open("w") as stderr:
        qemu = subprocess.Popen(qemu_command(iso, cpu, serial=serial, gdb=f"unix:{sock},server=on,wait=off", smp=smp),
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 10
        while not sock.exists() and qemu.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if not sock.exists():
            raise RuntimeError(f"QEMU's GDB stub did not start: {errors.read_text()}")
        return subprocess.run(["gdb", "-batch", "-nx", "-x", str(script), str(kernel)], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout)
    finally:
        qemu.kill()
        qemu.wait()


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
    waiting_for: str | None = None      # the text a boot script still waited for at the end

    def describe(self):
        if self.timed_out:
            how = "timed out (hang?)"
        elif self.status is None:
            how = "QEMU ended without a power-off (triple fault or reset?)"
        else:
            names = {STATUS_OK: "ok", STATUS_TESTS_FAILED: "tests failed",
                     STATUS_UNSUPPORTED_CPU: "unsupported CPU", STATUS_PANIC: "kernel panic"}
            how = f"powered off with status {self.status} ({names.get(self.status, 'init status')})"
        if self.waiting_for is not None:
            how += f"; the script was still waiting for {self.waiting_for!r}"
        return how

    def tail(self, lines=40):
        return "\n".join(self.serial.splitlines()[-lines:])


def boot(iso, cpu="max", mem="256M", timeout=120, script=(), smp=1):
    """Run iso to its end; a guest still running after timeout seconds is killed.

    script: (text, keys) steps for a guest that reads its console. Once text has appeared on
    the serial port (after the place where the previous step's text appeared), keys (a str,
    control characters included) go to the guest's serial input. The text is looked for in
    the raw output, whose line ends may be "\\r\\n". Without a script the guest's input is empty."""
    steps = list(script)
    proc = subprocess.Popen(qemu_command(iso, cpu, mem, smp=smp),
                            stdin=subprocess.PIPE if steps else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err, timed_out = _converse(proc, steps, time.monotonic() + timeout)
    serial = out.decode("utf-8", "replace").replace("\r\n", "\n")
    status = None if timed_out else kernel_status(proc.returncode)
    return Boot(serial, status, timed_out, err.decode("utf-8", "replace"),
                steps[0][0] if steps else None)


def _converse(proc, steps, deadline):
    """Collect proc's stdout and stderr until QEMU ends, typing the keys of each of steps (a
    list, emptied as they are taken) once its text has appeared on stdout; kill QEMU at
    deadline (time.monotonic()). Returns (stdout, stderr, whether it was killed)."""
    streams = {proc.stdout: bytearray(), proc.stderr: bytearray()}
    out = streams[proc.stdout]
    look_from = 0           # where the next step's text may start
    timed_out = False
    with selectors.DefaultSelector() as selector:
        for stream in streams:
            selector.register(stream, selectors.EVENT_READ)
        while selector.get_map():
            while steps and (found := out.find(steps[0][0].encode(), look_from)) >= 0:
                text, keys = steps.pop(0)
                look_from = found + len(text.encode())
                try:
                    proc.stdin.write(keys.encode())
                    proc.stdin.flush()
                except BrokenPipeError:     # QEMU has gone; its status says why
                    pass
            left = deadline - time.monotonic()
            if left <= 0 and not timed_out:
                proc.kill()
                timed_out = True
            for key, _ in selector.select(None if timed_out else left):
                data = os.read(key.fd, 65536)
                if data:
                    streams[key.fileobj] += data
                else:
                    selector.unregister(key.fileobj)
    if proc.stdin:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
    proc.wait()
    return bytes(out), bytes(streams[proc.stderr]), timed_out


def main():
    parser = argparse.ArgumentParser(description="Boot a Twofold ISO in QEMU on this terminal.")
    parser.add_argument("--iso", required=True)
    parser.add_argument("--cpu", default="max")
    parser.add_argument("--mem", default="256M")
    parser.add_argument("--smp", type=int, default=1)
    args = parser.parse_args()
    # mon:stdio: the serial port on this terminal, with QEMU's monitor behind Ctrl-A C.
    returncode = subprocess.call(qemu_command(args.iso, args.cpu, args.mem, serial="mon:stdio", smp=args.smp))
    status = kernel_status(returncode)
    sys.exit(returncode if status is None else status)


if __name__ == "__main__":
    main()
