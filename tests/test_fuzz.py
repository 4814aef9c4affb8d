"""tests/test_fuzz.py: each libFuzzer fuzzer (tests/fuzz/fuzz_*.c, built by `make test` and
`make fuzzers`) runs for FUZZ_SECONDS (10 unless set; `make fuzz` sets it) from the seeds
tools/fuzz.mk generates, and must find no crash, sanitizer report, leak or timeout. The
corpus it grows is kept in the build directory, so each run goes on from the last."""
import os
import pathlib
import subprocess

import pytest

from conftest import BUILD, ROOT

FUZZERS = sorted(p.stem[len("fuzz_"):] for p in (ROOT / "tests" / "fuzz").glob("fuzz_*.c"))
SECONDS = int(os.environ.get("FUZZ_SECONDS", "10"))


@pytest.mark.parametrize("name", FUZZERS)
def test_fuzzer_finds_nothing(name):
    fuzzdir = pathlib.Path(BUILD) / "fuzz"
    binary = fuzzdir / f"fuzz_{name}"
    assert binary.exists(), f"{binary} is missing: run the tests through `make test`"
    corpus = fuzzdir / "corpus" / name
    corpus.mkdir(parents=True, exist_ok=True)
    args = [str(binary), f"-max_total_time={SECONDS}", "-timeout=10", "-use_value_profile=1",
            f"-artifact_prefix={fuzzdir}/{name}-", str(corpus), str(fuzzdir / "seeds" / name)]
    dictionary = ROOT / "tests" / "fuzz" / f"{name}.dict"
    if dictionary.exists():
        args.insert(1, f"-dict={dictionary}")
    result = subprocess.run(args, capture_output=True, text=True, timeout=SECONDS + 120)
    assert result.returncode == 0, (f"fuzz_{name} failed; to replay the input it saved, run "
                                    f"{binary} {fuzzdir}/{name}-crash-...\n"
                                    + result.stderr[-6000:])
