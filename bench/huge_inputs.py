"""Peak memory and time of huge inputs: the largest a build accepts, and what it refuses.

    .venv/bin/python -m bench.huge_inputs            # ~5 min on 2 cores; writes bench/huge_inputs.json
    .venv/bin/python -m bench.huge_inputs --quick    # the refusals and the half-limit sizes only

Each case runs ``parse_file`` + ``extract_document`` in a fresh process (its peak RSS is its own)
on a file generated here: policy prose repeated, a text of short lines (the reproduced 54.6 MB
case had 4.2 M of them), a .docx whose document.xml is just under or over ``MAX_XML_PART_BYTES``.
Memory is bounded by design when the accepted maximum (``max_text_chars``) costs a known, modest
peak and everything past it is refused at once.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.settings import REPO_ROOT, Settings

CHILD = """
import sys, time
from pathlib import Path
from pipeline.errors import TaizhangError
from pipeline.run import parse_file
from extractors.run import extract_document
started = time.perf_counter()
try:
    doc = parse_file(Path(sys.argv[1]))
    tasks = len(extract_document(doc).tasks)
    outcome = f"{len(doc.text):,} characters, {tasks} measures"
except TaizhangError as exc:
    outcome = "refused " + exc.code
# VmHWM, not ru_maxrss: the latter keeps the high-water mark of the parent that forked us
peak_mb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
print(f"{time.perf_counter() - started:.2f}\\t{peak_mb:.0f}\\t{outcome}")
"""


def _prose(path: Path, chars: int) -> Path:
    source = (REPO_ROOT / "corpus" / "pzh-2025-yuanqu-tizhi-tongzhi.txt").read_text(encoding="utf-8")
    path.write_text((source * (chars // len(source) + 1))[:chars], encoding="utf-8")
    return path


def _short_lines(path: Path, chars: int) -> Path:
    rng = random.Random(18)
    words = ["园区", "建设", "一、", "（二）", "市财政局", "加快", "推进", "1.", "保障", "到2025年"]
    lines, size = [], 0
    while size < chars:
        lines.append(rng.choice(words) + rng.choice(words))
        size += len(lines[-1]) + 1
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _docx(path: Path, xml_mib: int) -> Path:
    from tests.robustness.test_huge_inputs import _docx_with_document_xml

    return _docx_with_document_xml(path, xml_mib << 20)


def measure(path: Path) -> dict:
    """Seconds and peak RSS (of the whole child process, imports included: VmHWM) for one file."""
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=REPO_ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    seconds, peak_mb, outcome = out.stdout.strip().splitlines()[-1].split("\t")
    return {"file_mb": round(path.stat().st_size / 1e6, 1), "seconds": float(seconds), "outcome": outcome,
            "peak_rss_mb": int(peak_mb)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("huge_inputs.json"))
    args = parser.parse_args(argv)
    limit = Settings().max_text_chars
    cases = [("short lines, half the text limit", _short_lines, limit // 2),
             ("prose, half the text limit", _prose, limit // 2)]
    if not args.quick:
        cases += [("short lines, at the text limit", _short_lines, limit - 1000),
                  ("prose, at the text limit", _prose, limit - 1000),
                  (".docx, about the text limit", _docx, 3),
                  (".docx, document.xml 60 MiB (text over the limit)", _docx, 60)]
    cases += [(".docx, document.xml 300 MiB (refused)", _docx, 300),
              ("54 MB of short lines (refused)", _short_lines, 23_000_000)]
    results = {"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "max_text_chars": limit, "cases": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for n, (label, make, size) in enumerate(cases):
            path = make(Path(tmp) / f"case{n}{'.docx' if make is _docx else '.txt'}", size)
            results["cases"][label] = figure = measure(path)
            path.unlink()
            print(f"| {label} | {figure['file_mb']} MB | {figure['outcome']} | {figure['seconds']:.1f} s | "
                  f"{figure['peak_rss_mb']} MB |", flush=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
