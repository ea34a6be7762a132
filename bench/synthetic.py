"""Synthetic corpora for the scaling runs: many documents made by varying the real ones.

Each synthetic document is one bundled corpus document with its figures, years, unit names and
place names replaced at random (so every text is new to the embedding cache and the registry),
and, for most of them, only a random run of its top-level sections kept (real inboxes hold many
short 通知 and few long 规划). Structure is kept: headings, numbering ladders, responsibility
notes, deadlines and target sentences stay where they were, so the extractors do real work.

    python -m bench.synthetic 1000 /tmp/syn-1000      # writes 1,000 .txt files
"""

from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from pipeline.settings import BUNDLED_CORPUS

UNITS = (
    "市发展改革委", "市经济和信息化局", "市科技局", "市财政局", "市自然资源规划局", "市生态环境局",
    "市住房城乡建设局", "市交通运输局", "市商务局", "市应急管理局", "市市场监管局", "市人力资源社会保障局",
    "市政务服务和大数据局", "市投资促进局", "市教育和体育局", "市卫生健康委", "市农业农村局", "市水利局",
    "市文化广播电视和旅游局", "市统计局", "市税务局", "市金融工作局", "市国资委", "市委组织部",
)
PLACES = ("东区", "西区", "仁和区", "米易县", "盐边县", "钒钛高新区", "攀枝花经开区", "格里坪工业园区",
          "金江工业园区", "新庄工业园区", "盐边安宁工业园区", "米易白马工业园区")
_UNIT_RE = re.compile("|".join(sorted(map(re.escape, UNITS), key=len, reverse=True)))
_PLACE_RE = re.compile("|".join(sorted(map(re.escape, PLACES), key=len, reverse=True)))
_YEAR_RE = re.compile(r"20[12]\d(?=年)")
_FIGURE_RE = re.compile(r"(?<![0-9年])\d+(?:\.\d+)?(?![0-9]*年)")
_TOP_HEADING = re.compile(r"^\s*(?:第[一二三四五六七八九十]+章|[一二三四五六七八九十]+、)", re.M)


@dataclass(frozen=True)
class Base:
    name: str
    text: str
    sections: tuple[tuple[int, int], ...]  # top-level section spans after the preamble


def load_bases(corpus_dir: Path = BUNDLED_CORPUS) -> list[Base]:
    bases = []
    for path in sorted(corpus_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        starts = [m.start() for m in _TOP_HEADING.finditer(text)]
        spans = tuple(zip(starts, starts[1:] + [len(text)]))
        bases.append(Base(path.stem, text, spans))
    return bases


def vary(text: str, rng: random.Random) -> str:
    """Same structure, different facts: figures, years, units and places redrawn."""
    text = _UNIT_RE.sub(lambda m: rng.choice(UNITS), text)
    text = _PLACE_RE.sub(lambda m: rng.choice(PLACES), text)
    text = _YEAR_RE.sub(lambda m: str(rng.randint(2021, 2030)), text)

    def figure(m: re.Match[str]) -> str:
        digits = m.group(0)
        if "." in digits:
            whole, frac = digits.split(".")
            return f"{rng.randint(1, 10 ** len(whole) - 1)}.{rng.randint(0, 10 ** len(frac) - 1):0{len(frac)}d}"
        return str(rng.randint(1, max(9, 10 ** len(digits) - 1)))

    return _FIGURE_RE.sub(figure, text)


def excerpt(base: Base, rng: random.Random) -> str:
    """The preamble and a random run of top-level sections (the whole text one time in four)."""
    if not base.sections or rng.random() < 0.25:
        return base.text
    preamble = base.text[: base.sections[0][0]]
    first = rng.randrange(len(base.sections))
    count = rng.randint(1, max(1, len(base.sections) // 2))
    chosen = base.sections[first:first + count]
    return preamble + "".join(base.text[a:b] for a, b in chosen)


def make_corpus(n_docs: int, out_dir: Path, seed: int = 20250101,
                corpus_dir: Path = BUNDLED_CORPUS) -> list[Path]:
    """Write ``n_docs`` synthetic documents into ``out_dir`` (created); their paths."""
    rng = random.Random(seed)
    bases = load_bases(corpus_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n_docs):
        base = bases[i % len(bases)]
        path = out_dir / f"syn-{i:05d}-{base.name}.txt"
        path.write_text(vary(excerpt(base, rng), rng), encoding="utf-8")
        paths.append(path)
    return paths


def corpus_bytes(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


if __name__ == "__main__":
    made = make_corpus(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"{len(made)} documents, {corpus_bytes(made) / 1e6:.1f} MB in {sys.argv[2]}")
