"""A catalogue of hostile and broken inputs, generated at test time (nothing binary is committed).

Each ``Case`` writes one file and states what a correct outcome is: either a parse whose text
holds ``must_contain``, or exactly one ``TaizhangError`` of class ``error``. A few cases accept
either outcome (``error=ANY_ERROR_OR_OK``) where both are defensible, e.g. a .txt file full of
binary: refusing it or reading the printable part are both fine, crashing is not.

Used by test_malformed_inputs.py (one case at a time, in-process or in a memory-watching
subprocess) and by the batch test (all of them in one folder with the corpus).
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedFileError,
    NeedsOCRError,
    ResourceLimitError,
    TaizhangError,
    UnsupportedFormatError,
)
from pipeline.settings import Settings

POLICY = (
    "关于开展园区提质行动助推高质量发展的通知\n\n"
    "各县（区）人民政府，市直有关部门：\n"
    "为推动园区高质量发展，现将有关事项通知如下。\n"
    "一、强化要素保障\n"
    "（一）加强土地要素保障。到2025年底，完成园区用地清查。（责任单位：市自然资源规划局、市经济和信息化局）\n"
    "（二）强化金融支持。设立园区发展基金，规模达到50亿元。（责任单位：市财政局）\n"
    "二、优化营商环境\n"
    "（一）深化审批改革。2026年6月底前实现园区事项“一网通办”。（市政务服务和大数据局牵头，市发展改革委配合）\n"
)
MARKER = "强化要素保障"  # a phrase every readable variant of POLICY must keep

ANY_ERROR_OR_OK = "either"


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    make: Callable[[Path], None]
    error: type[TaizhangError] | str | None = None  # None: must parse; a class: must raise it
    must_contain: str = MARKER
    must_not_contain: str | None = None
    heavy: bool = False  # big input: run in a subprocess that watches memory
    max_rss_growth_mb: int = 400  # peak RSS growth allowed over the parse (heavy cases)

    def build(self, folder: Path) -> Path:
        path = folder / self.filename
        self.make(path)
        return path


# ---------------------------------------------------------------------------------- writers


def _text(text: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda p: p.write_bytes(text.encode(encoding))


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(data)


def _binary(p: Path) -> None:
    rng = random.Random(7)
    p.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(rng.randrange(256) for _ in range(64 * 1024)))


def _exe(p: Path) -> None:
    rng = random.Random(8)
    p.write_bytes(b"MZ\x90\x00\x03" + bytes(rng.randrange(256) for _ in range(8 * 1024)))


def _mixed_encoding(p: Path) -> None:
    # a file stitched together from a UTF-8 part and a GBK part, as copy-paste between tools does
    head, tail = POLICY[:120], POLICY[120:]
    p.write_bytes(head.encode("utf-8") + tail.encode("gbk"))


def _gb18030_rare(p: Path) -> None:
    # 㐀 (CJK Ext. A) and 𠀀 (Ext. B) exist in GB18030 but not in GBK
    p.write_bytes((POLICY + "攀枝花市㐀𠀀村道路建设。\n").encode("gb18030"))


def _utf16be_no_bom(p: Path) -> None:
    from tests.fixtures.make_docs import write_utf16_text

    write_utf16_text(p, POLICY, byteorder="be", bom=False)


def _utf16le_bom(p: Path) -> None:
    from tests.fixtures.make_docs import write_utf16_text

    write_utf16_text(p, POLICY, byteorder="le", bom=True)


def _lone_surrogates_utf8(p: Path) -> None:
    # CESU-style encoded surrogates (ED A0 80) are invalid UTF-8; Python's surrogatepass writes them
    p.write_bytes(POLICY.encode("utf-8") + "坏字符\ud800结尾\udfff。\n".encode("utf-8", "surrogatepass"))


def _lone_surrogates_utf16(p: Path) -> None:
    p.write_bytes(b"\xff\xfe" + (POLICY + "孤立\ud83d代理。\n").encode("utf-16-le", "surrogatepass"))


def _nul_bytes(p: Path) -> None:
    p.write_bytes(POLICY.encode("utf-8").replace("。".encode(), "。\x00".encode(), 3))


def _emoji_rtl(p: Path) -> None:
    extra = "三、其他事项\n（一）加强宣传🚀📈，营造良好氛围👍。\u202e倒序文本\u202c مرحبا بالعالم שלום\u200f。\n"
    p.write_text(POLICY + extra, encoding="utf-8")


def _one_line_at_the_text_limit(p: Path) -> None:
    # one line just under max_text_chars (a longer text is refused: test_huge_inputs.py)
    unit = "园区是产业发展的重要载体，是引领经济高质量发展的主阵地。"
    count = (Settings().max_text_chars - len(MARKER)) // len(unit) - 10
    p.write_text(MARKER + unit * count, encoding="utf-8")


def _deep_headings(p: Path) -> None:
    # 20,000 numbered items: segmentation must stay roughly linear
    lines = [POLICY] + [f"（{i}）第{i}项措施，由市发展改革委牵头。" for i in range(1, 20001)]
    p.write_text("\n".join(lines), encoding="utf-8")


def _torture(junk: str) -> Callable[[Path], None]:
    # long runs of the characters the cue and number patterns care about: quadratic scans and
    # catastrophic regex backtracking show up as a timeout
    return _text(POLICY + junk + "\n")


def _not_a_zip_docx(p: Path) -> None:
    p.write_bytes("这不是一个Word文件，只是改了扩展名。".encode("utf-8") * 20)


def _zip_without_document(p: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/styles.xml", "<styles/>")
    p.write_bytes(buf.getvalue())


def _zip_bomb(p: Path) -> None:
    from tests.fixtures.make_docs import write_zip_bomb_docx

    write_zip_bomb_docx(p, expanded_mb=512)


def _lying_zip_bomb(p: Path) -> None:
    from tests.robustness.big_files import write_lying_zip_bomb_docx

    write_lying_zip_bomb_docx(p)


def _docx_15k(p: Path) -> None:
    from tests.robustness.big_files import write_many_paragraph_docx

    # ~750,000 characters: as many paragraphs as fit under max_text_chars
    write_many_paragraph_docx(p, POLICY.split("\n"), 15_000)


def _pdf_1000(p: Path) -> None:
    from tests.robustness.big_files import write_many_page_pdf

    write_many_page_pdf(p, POLICY.split("\n"), 1000)


def _pdf(p: Path) -> None:
    from tests.fixtures.make_docs import write_pdf

    write_pdf([line for line in POLICY.split("\n") if line], p)


def _docx(p: Path) -> None:
    from tests.fixtures.make_docs import write_docx

    write_docx([line for line in POLICY.split("\n") if line], p)


def _html_scripts(p: Path) -> None:
    script = "<script>alert(1);document.write('注入')</script>" * 200
    body = "".join(f"<p>{line}</p>" for line in POLICY.split("\n") if line)
    p.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{script}<style>p{{}}</style></head>"
        f"<body onload='alert(2)'>{script}<div>{body}</div><img src=x onerror=alert(3)>{script}"
        "<iframe src='javascript:alert(4)'></iframe></body></html>",
        encoding="utf-8",
    )


def _html_char_refs(p: Path) -> None:
    # numeric references to a lone surrogate, NUL and a non-character: must not reach the JSON store
    body = "".join(f"<p>{line}</p>" for line in POLICY.split("\n") if line)
    p.write_text(f"<html><body>{body}<p>坏&#xD800;字&#0;符&#xFFFF;与&#x1F680;。</p></body></html>",
                 encoding="utf-8")


def _html_as_pdf(p: Path) -> None:
    p.write_text("<!DOCTYPE html><html><body><p>404 页面不存在</p>"
                 f"<p>{POLICY}</p></body></html>", encoding="utf-8")


def _call(writer: str, *args, **kwargs) -> Callable[[Path], None]:
    def make(p: Path) -> None:
        from tests.fixtures import make_docs

        getattr(make_docs, writer)(p, *args, **kwargs)

    return make


# ---------------------------------------------------------------------------------- the set


CASES: tuple[Case, ...] = (
    Case("zero_byte_txt", "zero.txt", _bytes(b""), EmptyDocumentError),
    Case("zero_byte_pdf", "zero.pdf", _bytes(b""), EmptyDocumentError),
    Case("whitespace_only", "blank.txt", _text(" \n\n\t\u3000\n"), EmptyDocumentError),
    Case("bom_only", "bom.txt", _bytes(b"\xef\xbb\xbf"), EmptyDocumentError),
    Case("truncated_pdf", "truncated.pdf", _call("write_truncated_pdf"), CorruptFileError),
    Case("encrypted_pdf", "encrypted.pdf", _call("write_encrypted_pdf"), EncryptedFileError),
    Case("image_only_pdf", "scanned.pdf", _call("write_image_pdf", pages=2), NeedsOCRError),
    Case("exe_named_pdf", "setup.pdf", _exe, CorruptFileError),
    Case("html_named_pdf", "error-page.pdf", _html_as_pdf, None),
    Case("pdf_1000_pages", "thousand.pdf", _pdf_1000, None, heavy=True),
    Case("text_pdf", "small.pdf", _pdf, None),
    Case("binary_named_txt", "binary.txt", _binary, ANY_ERROR_OR_OK),
    Case("gbk_text", "gbk.txt", _text(POLICY, "gbk"), None),
    Case("gb18030_rare_chars", "gb18030.txt", _gb18030_rare, None, must_contain="㐀𠀀"),
    Case("utf16le_bom", "utf16le.txt", _utf16le_bom, None),
    Case("utf16be_no_bom", "utf16be.txt", _utf16be_no_bom, None),
    Case("mixed_utf8_gbk", "mixed.txt", _mixed_encoding, ANY_ERROR_OR_OK),
    Case("lone_surrogates_utf8", "surrogates8.txt", _lone_surrogates_utf8, ANY_ERROR_OR_OK),
    Case("lone_surrogates_utf16", "surrogates16.txt", _lone_surrogates_utf16, ANY_ERROR_OR_OK),
    Case("nul_bytes", "nul.txt", _nul_bytes, ANY_ERROR_OR_OK),
    Case("emoji_rtl", "emoji.txt", _emoji_rtl, None, must_contain="🚀"),
    Case("single_line_at_the_text_limit", "oneline.txt", _one_line_at_the_text_limit, None, heavy=True,
         max_rss_growth_mb=900),
    Case("twenty_thousand_items", "items.txt", _deep_headings, None, heavy=True),
    Case("unbalanced_brackets", "brackets.txt", _torture("（" * 20000 + "市财政局" + "〔" * 5000), None),
    Case("cue_flood", "cues.txt", _torture("责任单位：" * 3000 + "市财政局、" * 5000 + "牵头" * 3000), None),
    Case("digit_flood", "digits.txt", _torture("1" * 20000 + "到" * 5000 + "2025年" * 3000 + "%" * 5000), None),
    Case("docx_not_a_zip", "fake.docx", _not_a_zip_docx, CorruptFileError),
    Case("docx_zip_without_document", "hollow.docx", _zip_without_document, CorruptFileError),
    Case("zip_bomb_docx", "bomb.docx", _zip_bomb, ResourceLimitError, heavy=True, max_rss_growth_mb=200),
    Case("zip_bomb_lying_headers", "liar.docx", _lying_zip_bomb, CorruptFileError, heavy=True,
         max_rss_growth_mb=200),
    Case("docx_15k_paragraphs", "long.docx", _docx_15k, None, heavy=True, max_rss_growth_mb=700),
    Case("docx_ok", "ok.docx", _docx, None),
    Case("html_full_of_scripts", "scripts.html", _html_scripts, None, must_not_contain="alert("),
    Case("html_bad_char_refs", "refs.html", _html_char_refs, None),
    Case("unknown_extension", "notes.xyz", _text(POLICY), UnsupportedFormatError),
)

BY_NAME = {c.name: c for c in CASES}
