"""libFuzzer harness: arbitrary bytes as a document file → a Document or one TaizhangError.

    .venv/bin/python fuzz/fuzz_loaders.py /tmp/fuzz-seeds -max_total_time=600 -timeout=30
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

with atheris.instrument_imports():
    import pipeline.load_docx  # noqa: F401 - loaders import lazily; instrument them here
    import pipeline.load_html  # noqa: F401
    import pipeline.load_pdf  # noqa: F401
    import pipeline.load_text  # noqa: F401
    from extractors.run import extract_document
    from pipeline.errors import TaizhangError
    from pipeline.run import parse_file
    from pipeline.settings import Settings

SUFFIXES = (".txt", ".md", ".html", ".docx", ".pdf")
SETTINGS = Settings(max_file_bytes=4 * 1024 * 1024, max_pdf_pages=200)
FOLDER = Path(tempfile.mkdtemp(prefix="taizhang-fuzz-"))


def test_one_input(data: bytes) -> None:
    if not data:
        return
    path = FOLDER / f"input{SUFFIXES[data[0] % len(SUFFIXES)]}"
    path.write_bytes(data[1:])
    try:
        doc = parse_file(path, settings=SETTINGS)
    except TaizhangError as exc:
        assert exc.path is not None and path.name in exc.message, exc.message
        return
    extract_document(doc)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
