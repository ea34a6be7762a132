"""A DOCX list whose numbering.xml starts at 1e11 (upperRoman) or 2.6e9 (upperLetter) used to run
until killed or fill memory; a non-integer w:start or w:ilvl was an internal error. Each now
renders at once, in a child process with a time and memory budget."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from lxml import etree
from pipeline.load_docx import Numbering
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
xml = f'''<w:numbering xmlns:w="{W}"><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="{sys.argv[3]}">
<w:start w:val="{sys.argv[1]}"/><w:numFmt w:val="{sys.argv[2]}"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>
<w:num w:numId="7"><w:abstractNumId w:val="1"/></w:num></w:numbering>'''
numbering = Numbering.from_xml(etree.fromstring(xml))
print(numbering.render("7", 0), numbering.render("7", 0))
"""


@pytest.mark.parametrize(("start", "fmt", "ilvl", "expected"), [
    ("100000000000", "upperRoman", "0", None),  # held at Word's own limit, 32767
    ("2600000000", "upperLetter", "0", None),
    ("3", "upperRoman", "0", "III. IV."),
    ("x", "decimal", "0", "1. 2."),  # not a number: the list starts where Word would, at 1
    ("2", "decimal", "zero", "2. 3."),
])
def test_list_numbers_render_within_a_budget(start: str, fmt: str, ilvl: str, expected: str) -> None:
    out = subprocess.run([sys.executable, "-c", CHILD, start, fmt, ilvl], cwd=REPO, capture_output=True,
                         text=True, timeout=30)
    assert out.returncode == 0, out.stderr[-2000:]
    if expected is None:
        first, second = out.stdout.split()
        assert first == second and len(first) <= 1300  # 32767 as M×32… or the letter G×1261
    else:
        assert out.stdout.split() == expected.split()
