"""tests/ktap.py: read KTAP (the test output format of Linux's KUnit) from a serial log.

Results nest: a test's subtests are indented by 4 more spaces and come before the test's own
result line, which names them. parse() calls them "TEST/SUBTEST", so the user test runner's
output (each program's cases inside it) gives "io/pipe_carries_bytes_in_order" beside "io".
Lines of other output in between (the kernel's console) are ignored. The results of one
block (after its "KTAP version 1") must be numbered 1, 2, 3... and named once each: anything
else raises Malformed, so a runner that repeats or skips a result cannot pass.
"""
import dataclasses
import re

INDENT = 4          # spaces per level of nesting
RESULT = re.compile(r"^(ok|not ok) (\d+) (\S+)(?:\s+#\s*(.*))?")
PLAN = re.compile(r"^1\.\.(\d+)$")


class Malformed(ValueError):
    """The log breaks KTAP's numbering or names a result twice."""


@dataclasses.dataclass
class Result:
    ok: bool
    diagnostics: list[str]      # the "# ..." lines before the result line, at its depth or deeper
    directive: str = ""         # what follows " # " on the result line: "SKIP why", a reason

    @property
    def skipped(self):
        return self.ok and self.directive.upper().startswith("SKIP")


def parse(log):
    """Return (the top level's planned count or None, {test name: Result}). A subtest that
    never gets a parent result line (its test died) is left out."""
    planned, results = None, {}
    waiting = {}        # depth -> [(name, Result)] reported there, for the parent to name
    notes = []          # (depth, line): diagnostics, for the next result at that depth or above it
    seen = {}           # depth -> names reported in the block open there, in order
    in_ktap = False
    for line in log.splitlines():
        text = line.strip()
        depth = (len(line) - len(line.lstrip(" "))) // INDENT
        if text == "KTAP version 1":
            in_ktap = True
            seen[depth] = []
            continue
        if not in_ktap:
            continue
        if m := RESULT.match(text):
            name = m.group(3)
            block = seen.setdefault(depth, [])
            if int(m.group(2)) != len(block) + 1:
                raise Malformed(f"{text!r}: result {len(block) + 1} was due at depth {depth}")
            if name in block:
                raise Malformed(f"{text!r}: {name} was reported before in this block")
            block.append(name)
            for deeper in [d for d in seen if d > depth]:
                del seen[deeper]
            mine = [t for d, t in notes if d >= depth]
            notes = [(d, t) for d, t in notes if d < depth]
            result = Result(m.group(1) == "ok", mine, m.group(4) or "")
            entries = [(name, result)]
            entries += [(f"{name}/{sub}", r) for sub, r in waiting.pop(depth + 1, [])]
            for deeper in [d for d in waiting if d > depth]:
                del waiting[deeper]
            if depth == 0:
                results.update(entries)
            else:
                waiting.setdefault(depth, []).extend(entries)
        elif depth == 0 and (m := PLAN.match(text)):
            planned = int(m.group(1))
        elif text.startswith("#"):
            notes.append((depth, text))
    return planned, results
