"""Work grows with the text, not with its square (issue 18, item 4).

Reproduced before: 1.2 MB of nested （ ran past 240 s (each bracket's whole content searched for
a label); 600 KB of nested <span> took 66 s (each text node asked all its ancestors whether one
is a <pre>); long policy text slowed down faster than it grew. Counted, not timed: the same text
at two sizes, and twice the text may cost about twice the work, never four times. Python-level
work is counted as function calls and generator steps (``sys.setprofile``); the bracket case,
whose cost was inside the regular-expression engine, counts the characters handed to it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def python_calls(fn: Callable[[], object]) -> int:
    """Function calls and generator resumptions made while ``fn()`` runs."""
    count = [0]

    def profile(frame, event, arg) -> None:
        if event == "call":
            count[0] += 1

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return count[0]


def _grows_linearly(work: Callable[[int], int], size: int) -> tuple[int, int]:
    small, large = work(size), work(2 * size)
    assert large <= 2.5 * small, (small, large)
    return small, large


def test_nested_spans_cost_work_in_proportion(tmp_path: Path) -> None:
    from pipeline.load_html import load_html

    def work(depth: int) -> int:
        html = ("<html><body><p>" + "<span>园区" * depth + "</span>" * depth + "</p><pre>  保留  空格</pre>"
                "</body></html>").encode()
        doc = None

        def load() -> None:
            nonlocal doc
            doc = load_html(tmp_path / "a.html", html, sha256="0")

        calls = python_calls(load)
        assert doc.text.startswith("园区" * 10) and doc.text.endswith("\n保留  空格")  # <pre> keeps its inner spaces
        return calls

    _grows_linearly(work, 400)


def test_nested_brackets_cost_work_in_proportion(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractors.roles import marked

    searched = [0]
    real = marked.label_regex()

    class CountingPattern:
        def search(self, text: str, *args):
            searched[0] += len(text)
            return real.search(text, *args)

        def finditer(self, text: str, *args):
            searched[0] += len(text)
            return real.finditer(text, *args)

        def match(self, text: str, *args):
            return real.match(text, *args)

    monkeypatch.setattr(marked, "label_regex", lambda: CountingPattern())

    def work(depth: int) -> int:
        searched[0] = 0
        text = "加快推进园区建设" + "（" * depth + "（市财政局牵头）" + "）" * depth + "。"
        assert marked.marked_statements(text)  # the labelled bracket inside is still found
        return searched[0]

    _grows_linearly(work, 3000)


def _policy_text(chars: int) -> str:
    """Real policy prose repeated to ``chars``: numbered measures, brackets of units, targets."""
    source = (REPO / "corpus" / "pzh-2025-yuanqu-tizhi-tongzhi.txt").read_text(encoding="utf-8")
    body = source[source.index("\n", 200):]
    return (source + body * (chars // len(body) + 1))[:chars]


@pytest.mark.slow
def test_long_policy_text_costs_work_in_proportion(tmp_path: Path) -> None:
    from extractors.run import extract_document
    from pipeline.run import parse_file

    def work(chars: int) -> int:
        path = tmp_path / f"long-{chars}.txt"
        path.write_text(_policy_text(chars), encoding="utf-8")
        return python_calls(lambda: extract_document(parse_file(path)))

    _grows_linearly(work, 60_000)


@pytest.mark.parametrize("line", ["一、", "（一）加快"])
def test_many_short_lines_cost_work_in_proportion(tmp_path: Path, line: str) -> None:
    from pipeline.run import parse_file

    def work(lines: int) -> int:
        path = tmp_path / f"short-{lines}.txt"
        path.write_text("关于加快园区建设的通知\n" + "\n".join(f"{line}{n}" for n in range(lines)), encoding="utf-8")
        return python_calls(lambda: parse_file(path))

    _grows_linearly(work, 1000)


def test_many_deadlines_in_one_text_cost_work_in_proportion() -> None:
    """Each deadline found was compared with every one kept before it (16.7 M comparisons in a
    200,000-character text of short lines)."""
    from extractors.deadlines import deadline_matches

    def work(count: int) -> int:
        text = "".join(f"到{2026 + n % 5}年底前完成第{n}项。" for n in range(count))
        found: list = []
        calls = python_calls(lambda: found.extend(deadline_matches(text)))
        assert len(found) == count
        return calls

    _grows_linearly(work, 1000)
