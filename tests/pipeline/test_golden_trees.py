"""Each corpus document's section tree against a reviewed golden file.

Regenerate with ``pytest tests/pipeline/test_golden_trees.py --update-golden`` and review the
diff: a golden file is a claim about what the document says, checked by reading it.
"""

from __future__ import annotations

import json

import pytest

from pipeline.model import Document

DOC_IDS = [
    "pzh-2022-yuanqu-guihua",
    "dongqu-2023-chengzai-fangan",
    "pzh-2025-yuanqu-tizhi-tongzhi",
    "pzh-2024-jianquan-qianglian-16tiao",
    "xiqu-2021-chengyu-guihua",
]


def compact_tree(doc: Document) -> list[dict]:
    return [
        {
            "id": s.section_id,
            "number": s.number,
            "title": s.title,
            "level": s.level,
            "kind": s.kind,
            "parent": s.parent_id,
            "page": s.page,
            "line": s.line,
        }
        for s in doc.sections
    ]


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_section_tree_matches_golden(doc_id, corpus_documents, golden_dir, update_golden):
    tree = compact_tree(corpus_documents[doc_id])
    path = golden_dir / f"{doc_id}.tree.json"
    if update_golden:
        path.write_text(
            "[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in tree) + "\n]\n", encoding="utf-8"
        )
        pytest.skip(f"rewrote {path.name}: review the diff")
    assert path.exists(), f"{path} missing: run with --update-golden and review it"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert tree == expected
