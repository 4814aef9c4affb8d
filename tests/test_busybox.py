"""tests/test_busybox.py: Debian's busybox, unmodified (tools/busybox.mk), as a test subject.
The suite (tests/busybox/*.sh, run one by one by tests/busybox/all) goes through files and
directories, pipes and redirection, substitutions, background jobs and wait, traps, ls and
the text tools; it runs under busybox's sh as Twofold's first process, and under the same
busybox on this host, and each script's output on Twofold must be the host's. Then what
`make run` boots (build/gcc/run.iso) is driven through the serial port as a person would:
the prompt, a line edited with backspace and the arrow keys, Ctrl-C ending the foreground
command and not the shell, and `exit`, whose status is the one the machine powers off with."""
import re
import subprocess

import pytest

import twofold_qemu
from conftest import BOOT_TIMEOUT, BUILD, ROOT, explain

BUSYBOX_ROOT = BUILD / "busybox" / "root"
SUITE = BUILD / "user" / "tests" / "busybox"
SCRIPTS = sorted(p.name for p in (ROOT / "tests" / "busybox").glob("*.sh"))


def sections(output):
    """{script: its output} from the driver's "=== NAME" ... "=== NAME exit STATUS" markers;
    the status is the last line of each."""
    found = {}
    for match in re.finditer(r"^=== (\S+)\n(.*?)^=== \1 exit (\d+)$", output.replace("\r\n", "\n"),
                             re.M | re.S):
        found[match.group(1)] = match.group(2) + f"exit {match.group(3)}\n"
    return found


@pytest.fixture(scope="module")
def on_host():
    busybox = BUSYBOX_ROOT / "bin" / "busybox"
    if not busybox.exists():
        pytest.fail(f"{busybox} is missing: run the tests through `make test`")
    path = f"{BUSYBOX_ROOT / 'bin'}:{BUSYBOX_ROOT / 'sbin'}"
    run = subprocess.run([str(busybox), "sh", str(SUITE / "all")], env={"PATH": path},
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    return sections(run.stdout + run.stderr)


@pytest.fixture(scope="module")
def on_twofold(boot):
    result = boot("quiet init=/bin/sh /tests/busybox/all")
    return result, sections(result.serial)


@pytest.mark.parametrize("script", SCRIPTS)
def test_busybox_script_matches_the_host(on_host, on_twofold, script):
    result, twofold = on_twofold
    assert script in on_host, f"{script} did not run on this host"
    assert script in twofold, f"{script} did not finish on Twofold: " + explain(result)
    assert twofold[script] == on_host[script]
    assert on_host[script].endswith("exit 0\n")


# What is typed at the shell that `make run` boots, and what must show before each step. The
# words to wait for are split with "" in the command, so that its echo does not match.
SESSION = [
    ("# ", "echo hellx\x7fo wor\x1b[D\x1b[Dxx\x1b[C\x1b[Cld\r"),  # backspace; left, right
    ("hello wxxorld", "echo st\"\"arted; sleep 100\r"),
    ("started", "\x03"),                                   # Ctrl-C: sleep ends, not the shell
    ("# ", "echo al\"\"ive $?\r"),
    ("alive 130", "exit 7\r"),
]


def test_make_run_boots_to_a_shell_that_edits_lines_and_survives_ctrl_c():
    iso = BUILD / "gcc" / "run.iso"
    if not iso.exists():
        pytest.fail(f"{iso} is missing: run the tests through `make test`")
    result = twofold_qemu.boot(iso, timeout=BOOT_TIMEOUT, script=SESSION)
    assert result.waiting_for is None, explain(result)
    assert "init: /cr3demo exited with status 0" in result.serial, explain(result)
    assert "init exited with status 7" in result.serial, explain(result)
    assert result.status == 7, explain(result)
