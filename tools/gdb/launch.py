#!/usr/bin/env python3
"""tools/gdb/launch.py: what `make debug` runs (tools/debug.mk). Starts QEMU stopped before the
first instruction with its GDB stub on a local TCP port, writes a GDB init file that connects to
it, and runs GDB in the foreground; QEMU is stopped when GDB ends, however it ends.

Arguments after `--` go to GDB as they are: `-batch -x FILE` runs a script with no terminal.
"""
import argparse
import ctypes
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import twofold_qemu  # noqa: E402

PR_SET_PDEATHSIG = 1
LIBC = ctypes.CDLL(None, use_errno=True)


def init_file_text(path, kernel, port, user_program):
    """The GDB commands that connect to QEMU and prepare the session."""
    lines = [
        f"# {path}: written by tools/gdb/launch.py for `make debug`, anew on every run.",
        "# The 64-bit register layout from the start, though the CPU begins in real mode: otherwise",
        "# the first stop in 64-bit code fails with \"Remote 'g' packet reply is too long\".",
        "set architecture i386:x86-64",
    ]
    if user_program:
        lines.append(f"add-symbol-file {user_program}")
    lines += [
        f"target remote localhost:{port}",
        f"source {HERE / 'twofold.py'}",
        "# A hardware breakpoint: it can be set before paging maps kmain (a software one cannot).",
        "hbreak kmain",
        "echo \\n",
        f"echo QEMU is stopped at the reset vector; symbols from {kernel}; the serial port prints here.\\n",
        "echo `continue` runs to kmain; Ctrl-C stops the guest; `kill` or `quit` ends QEMU.\\n",
        "echo The Twofold helpers (`help tf-walk` and so on):\\n",
        "tf",
    ]
    return "\n".join(lines) + "\n"


def port_is_free(port):
    """Whether nothing listens on localhost:port (QEMU would fail to bind it otherwise, and
    GDB would wait for it in vain)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("localhost", port))
        except OSError:
            return False
    return True


def die_with_parent(parent):
    """For the QEMU child, before exec: be killed when this launcher dies, even by SIGKILL."""
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:          # the launcher died before prctl took effect
        os._exit(1)


def stop(qemu):
    """End QEMU: politely first, then for good."""
    if qemu.poll() is None:
        qemu.terminate()
        try:
            qemu.wait(timeout=5)
        except subprocess.TimeoutExpired:
            qemu.kill()
            qemu.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iso", required=True)
    parser.add_argument("--kernel", required=True, help="the kernel ELF, for its symbols")
    parser.add_argument("--port", required=True, type=int, help="TCP port of QEMU's GDB stub")
    parser.add_argument("--init", required=True, help="where to write the GDB init file")
    parser.add_argument("--cpu", default="max")
    parser.add_argument("--mem", default="256M")
    parser.add_argument("--user-program", help="a user program whose symbols to add too")
    parser.add_argument("gdb_args", nargs="*", help="more arguments for GDB (after --)")
    args = parser.parse_args()

    if args.user_program and not os.path.isfile(args.user_program):
        sys.exit(f"make debug: {args.user_program} does not exist, so PROG names no user program "
                 "(`make user` builds them)")
    gdb = shutil.which("gdb")
    if gdb is None:
        sys.exit("make debug: gdb is not installed (Debian package gdb)")
    if not port_is_free(args.port):
        sys.exit(f"make debug: port {args.port} is in use (another make debug?); "
                 "pick another with GDB_PORT=N")
    init = pathlib.Path(args.init)
    init.parent.mkdir(parents=True, exist_ok=True)
    init.write_text(init_file_text(init, args.kernel, args.port, args.user_program))

    # The serial port is this terminal's output (stdin is not QEMU's: GDB reads it). QEMU gets
    # a session of its own, so a Ctrl-C, which GDB turns into "stop the guest", is not QEMU's.
    command = twofold_qemu.qemu_command(args.iso, args.cpu, args.mem, serial="stdio",
                                        gdb=f"tcp:localhost:{args.port}")
    parent = os.getpid()
    qemu = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=lambda: die_with_parent(parent))
    # Ctrl-C reaches this launcher too: let it pass (a handler, unlike SIG_IGN, is not
    # inherited by GDB).
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        status = subprocess.call([gdb, "-q", args.kernel, "-x", str(init), *args.gdb_args])
    finally:
        stop(qemu)
    sys.exit(status)


if __name__ == "__main__":
    main()
