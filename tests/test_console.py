"""tests/test_console.py: console input and its line discipline, typed through QEMU's serial
input by a script: /cat as the first process shows what each read() returned (whole lines,
backspace, carriage return, Ctrl-D for end of file, Ctrl-C discarding a line) and the echo
shows on the console; /spin's spinning child dies of the SIGINT that Ctrl-C sends; /job's
jobs are stopped by Ctrl-Z and by a read of the console from the background, and killed by
Ctrl-\\."""
import pytest

import mkiso
import twofold_qemu
from conftest import BOOT_TIMEOUT, INITRD, KERNEL, explain
from twofold_qemu import STATUS_OK

# What /cat prints for each read: "read N: BYTES", every byte not printable as \xHH.
CAT_BASICS = [
    ("cat: ready", "hello\n"),
    ("read 6: ", "ab\x7fc\n"),          # DEL erases the b
    ("read 3: ", "\x04"),               # Ctrl-D on an empty line: end of file
]
CAT_EDGES = [
    ("cat: ready", "\x7fxy\x08z\r"),    # nothing to erase; BS erases too; CR ends a line
    (r"read 3: xz\x0a", "junk\x03ok\n"),    # Ctrl-C discards junk; /cat is pid 1, so lives
    (r"read 3: ok\x0a", "part\x04"),    # Ctrl-D on a non-empty line: the line, no newline
    ("read 4: part", "\x04"),
]
SPIN = [("spin: ready", "\x03")]
# /job's two jobs (user/job.c): Ctrl-Z, then Ctrl-\ for the spinner; a line for the reader.
JOB = [("job: spinning", "\x1a"), ("job: spinner in the foreground", "\x1c"),
       ("job: reader in the foreground", "typed\n")]
# The first read into an unmapped page: it waits for the line, fails, and leaves the line.
CAT_EFAULT = [("cat: ready", "kept\n"), ("cat: bad buffer: -14", "\x04")]


@pytest.fixture(scope="module")
def console_boot(tmp_path_factory):
    """Boots with an init= program and a script for its console (twofold_qemu.boot's), once
    per distinct pair."""
    workdir, cache = tmp_path_factory.mktemp("console"), {}

    def boot(init, script):
        key = (init, tuple(script))
        if key not in cache:
            if not KERNEL.exists():
                pytest.fail(f"{KERNEL} is missing: run the tests through `make test`")
            iso = workdir / f"boot{len(cache)}.iso"
            mkiso.make_iso(KERNEL, iso, f"quiet init={init}", INITRD)
            cache[key] = twofold_qemu.boot(iso, timeout=BOOT_TIMEOUT, script=script)
        return cache[key]
    return boot


def assert_ended_well(result):
    """The script ran to its end and init exited 0."""
    assert result.waiting_for is None, explain(result)
    assert "init exited with status 0" in result.serial, explain(result)
    assert result.status == STATUS_OK, explain(result)


def test_read_returns_whole_lines(console_boot):
    result = console_boot("/cat", CAT_BASICS)
    assert r"read 6: hello\x0a" in result.serial, explain(result)


def test_typed_characters_are_echoed(console_boot):
    result = console_boot("/cat", CAT_BASICS)
    # The echo is a line of its own; /cat's report of the read is another.
    lines = result.serial.replace("\r", "").splitlines()
    assert "hello" in lines, explain(result)


def test_backspace_erases_the_last_character(console_boot):
    result = console_boot("/cat", CAT_BASICS)
    assert r"read 3: ac\x0a" in result.serial, explain(result)
    assert "ab\b \bc" in result.serial, explain(result)


def test_ctrl_d_on_an_empty_line_is_end_of_file(console_boot):
    result = console_boot("/cat", CAT_BASICS)
    assert "cat: eof" in result.serial, explain(result)
    assert_ended_well(result)


def test_carriage_return_ends_a_line_and_bs_erases(console_boot):
    result = console_boot("/cat", CAT_EDGES)
    assert r"read 3: xz\x0a" in result.serial, explain(result)
    assert "xy\b \bz" in result.serial, explain(result)


def test_backspace_on_an_empty_line_erases_nothing(console_boot):
    result = console_boot("/cat", CAT_EDGES)
    assert r"read 3: xz\x0a" in result.serial, explain(result)     # no DEL in the line
    assert "\b \bxy" not in result.serial, explain(result)         # no erasing echo


def test_ctrl_c_discards_the_line_and_spares_pid_1(console_boot):
    result = console_boot("/cat", CAT_EDGES)
    assert "junk^C\n" in result.serial.replace("\r", ""), explain(result)
    assert r"read 3: ok\x0a" in result.serial, explain(result)
    assert "junk" not in result.serial.split("^C")[-1], explain(result)


def test_ctrl_d_on_a_line_ends_the_read_without_a_newline(console_boot):
    result = console_boot("/cat", CAT_EDGES)
    assert "read 4: part\n" in result.serial, explain(result)
    assert "cat: eof" in result.serial, explain(result)
    assert_ended_well(result)


def test_a_read_into_a_bad_buffer_keeps_the_line(console_boot):
    result = console_boot("/cat efault", CAT_EFAULT)
    assert "cat: bad buffer: -14\nread 5: kept\\x0a\ncat: eof" in result.serial.replace("\r", ""), explain(result)
    assert_ended_well(result)


def test_ctrl_c_kills_the_foreground_process_with_sigint(console_boot):
    result = console_boot("/spin", SPIN)
    assert "^C" in result.serial, explain(result)
    assert "spin: child killed by signal 2\n" in result.serial, explain(result)
    assert_ended_well(result)


def test_ctrl_z_stops_the_foreground_job_and_sigcont_continues_it(console_boot):
    result = console_boot("/job", JOB)
    serial = result.serial.replace("\r", "")
    assert "^Z\njob: spinner stopped by signal 20\n" in serial, explain(result)
    assert "job: spinner continued\n" in serial, explain(result)


def test_ctrl_backslash_quits_the_foreground_job_with_a_core(console_boot):
    result = console_boot("/job", JOB)
    assert "^\\\njob: spinner killed by signal 3 (core dumped)\n" in result.serial.replace("\r", ""), explain(result)


def test_a_background_read_stops_the_job_until_it_is_foreground(console_boot):
    result = console_boot("/job", JOB)
    serial = result.serial.replace("\r", "")
    assert "job: reader stopped by signal 21\njob: reader continued\n" in serial, explain(result)
    assert "job: reader read 6: typed\n\njob: reader exited with status 0\n" in serial, explain(result)
    assert_ended_well(result)
