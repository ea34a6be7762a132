"""libFuzzer harness: arbitrary text through clean → segment → every extractor, span promises kept.

    .venv/bin/python fuzz/fuzz_text.py -max_total_time=600 -max_len=8192 -timeout=30
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

with atheris.instrument_imports():  # the stages themselves, so coverage guides the search
    import extractors.deadlines  # noqa: F401
    import extractors.measures.tasks  # noqa: F401
    import extractors.numbers  # noqa: F401
    import extractors.roles.statements  # noqa: F401
    import extractors.targets.extract  # noqa: F401
    import pipeline.normalize  # noqa: F401
    import pipeline.segment  # noqa: F401
    from tests.robustness.test_fuzz import check_chain


def test_one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    check_chain(provider.ConsumeUnicodeNoSurrogates(len(data)))


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
