"""tests/ktap.py: read KTAP (the test output format of Linux's KUnit) from a serial log."""
import dataclasses
import re

RESULT = re.compile(r"^(ok|not ok) (\d+) (\S+)")
PLAN = re.compile(r"^1\.\.(\d+)$")


@dataclasses.dataclass
class Result:
    ok: bool
    diagnostics: list[str]


def parse(log):
    """Return (planned count or None, {test name: Result}). Diagnostic lines ("# ...") that
    come before a result line belong to that result."""
    planned, results, pending = None, {}, []
    in_ktap = False
    for line in log.splitlines():
        stripped = line.strip()
        if stripped == "KTAP version 1":
            in_ktap = True
            continue
        if not in_ktap:
            continue
        if m := PLAN.match(stripped):
            planned = int(m.group(1))
        elif m := RESULT.match(stripped):
            results[m.group(3)] = Result(m.group(1) == "ok", pending)
            pending = []
        elif stripped.startswith("#"):
            pending.append(stripped)
    return planned, results
