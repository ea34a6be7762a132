"""Write seed inputs for fuzz_loaders.py: the corpus and the malformed-input set, each prefixed
with the byte that selects its extension in the harness.

    .venv/bin/python fuzz/seeds.py /tmp/fuzz-seeds
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fuzz.fuzz_loaders import SUFFIXES  # noqa: E402
from pipeline.settings import BUNDLED_CORPUS  # noqa: E402
from tests.robustness.malformed import CASES  # noqa: E402


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for path in BUNDLED_CORPUS.glob("*.txt"):
        (out / path.name).write_bytes(bytes([SUFFIXES.index(".txt")]) + path.read_bytes())
    with tempfile.TemporaryDirectory() as scratch:
        for case in CASES:
            if case.heavy:
                continue  # libFuzzer mutates small inputs; the big ones are covered by the tests
            made = case.build(Path(scratch))
            suffix = made.suffix if made.suffix in SUFFIXES else ".txt"
            (out / case.name).write_bytes(bytes([SUFFIXES.index(suffix)]) + made.read_bytes())
    print(f"seeds in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
