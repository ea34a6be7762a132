"""Plain text and Markdown: decide the encoding, never return mojibake.

Chinese government text files arrive as UTF-8, UTF-8 with a BOM (Notepad), GBK/GB18030 (older
Windows tools), UTF-16 (Word "Unicode text") and occasionally Big5. The order below goes from
certain to guessed:

1. a byte-order mark says it outright;
2. UTF-16 without a BOM shows itself by NUL bytes (from ASCII digits and punctuation); the byte
   order whose reading is everyday Chinese wins, and fewer than 16 characters are not guessed;
3. strict UTF-8 almost never succeeds by accident on GBK/Big5 bytes, so it goes before any guess;
4. GB18030 (the superset of GBK and GB2312, so a rare character never becomes an error) and
   Big5 are both tried; when both decode, the reading with more everyday characters wins
   (share of characters that, simplified, are among GB2312's 3,755 level-1 characters).
   Short snippets defeat statistical detectors (charset-normalizer reads 7 % of one-sentence
   GBK snippets as Big5), but mojibake is almost never made of everyday characters;
5. otherwise charset-normalizer guesses among the encodings trusted for Chinese.

Whatever is decided, the decoded text must look like text (no NULs, almost no control
characters); otherwise ``EncodingError`` asks for a UTF-8 copy rather than passing garbage on.

Line endings are normalised to ``\\n`` (``\\r\\n`` and lone ``\\r``), and that normalised text is
the raw text every offset refers to. A form feed ``\\f`` starts a new page. Tables written as
text: ``pipeline.text_tables``.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from pipeline.errors import CorruptFileError, EncodingError
from pipeline.messages import warning
from pipeline.model import RawDocument, SourceFormat
from pipeline.text_tables import text_tables

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with FF FE too
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# charset-normalizer names → what we decode with. Anything absent is not trusted for Chinese.
_TRUSTED: dict[str, str] = {
    "gb18030": "gb18030",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "cp936": "gb18030",
    "hz": "hz",
    "big5": "big5",
    "big5hkscs": "big5hkscs",
    "cp950": "cp950",
    "utf_8": "utf-8",
    "ascii": "utf-8",
}  # UTF-16 is trusted only with a BOM or its NUL pattern: detectors call any even-length CJK UTF-16

# What a Chinese policy text is made of besides ideographs. Anything else (kana, bopomofo,
# Hangul, box drawing, vertical forms, private use, …) is the signature of a wrong decoding.
_PLAUSIBLE_RANGES = (
    (0x0009, 0x000D),  # tab, newlines, form feed
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1: ·, ×, °, accented pinyin
    (0x0391, 0x03C9),  # Greek: α, β, Ω
    (0x2000, 0x206F),  # general punctuation: —, “”, ‰, …
    (0x2100, 0x22FF),  # letterlike, number forms (Ⅰ), arrows, maths (≥, ≤)
    (0x2460, 0x24FF),  # enclosed numbers ① ⑴ ⒈
    (0x25A0, 0x26FF),  # shapes and symbols ■ □ ● ★
    (0x3000, 0x303F),  # CJK punctuation 、。〔〕《》
    (0x3200, 0x33FF),  # enclosed CJK ㈠ and units ㎡
    (0xFF00, 0xFFEF),  # fullwidth forms （），：
)
_SCORE_SAMPLE = 4000
_MIN_UTF16_CHARS = 16
_MIN_EVERYDAY_SHARE = 0.6
_NEUTRAL_SHARE = 0.75

# Unicode categories Cs (surrogates) and Co (the three private-use areas) as the body of a
# regex character class; the PDF loader uses it too.
SURROGATE_AND_PRIVATE_USE = "\ud800-\udfff\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
# Cc (C0/C1 controls), Cs and Co, except the whitespace controls \t \n \v \f \r: one scan in
# C, not a category lookup per character.
_DISALLOWED = re.compile(f"[\x00-\x08\x0e-\x1f\x7f-\x9f{SURROGATE_AND_PRIVATE_USE}]")
_MAX_CONTROL_RATIO = 0.001
# Documents typed in WPS with 方正 fonts carry a few glyphs from the Basic Multilingual Plane's
# private-use area (U+E000–U+F8FF: a dot after an item number, a special dash). They are kept
# and flagged, not read as a sign of binary, up to this share of the text (a wrong decoding or
# a binary file gives far more, together with controls).
_PRIVATE_USE_BMP = re.compile("[\ue000-\uf8ff]")
_MAX_PRIVATE_USE_RATIO = 0.02


def looks_like_text(text: str) -> bool:
    """False for decoded binary: any NUL, more than 0.1 % control characters, or more than 2 %
    private-use glyphs (a few of those are font glyphs of WPS documents, not controls)."""
    if "\x00" in text:
        return False
    private = private_use_count(text)
    if private > max(8, int(len(text) * _MAX_PRIVATE_USE_RATIO)):
        return False
    controls = sum(1 for _ in _DISALLOWED.finditer(text)) - private
    return controls <= max(1, int(len(text) * _MAX_CONTROL_RATIO))


def private_use_count(text: str) -> int:
    """How many characters of ``text`` are private-use glyphs of the BMP (U+E000–U+F8FF)."""
    return len(_PRIVATE_USE_BMP.findall(text))


def private_use_warning(text: str) -> str | None:
    """One line naming the private-use glyphs kept in ``text`` and where the first one is."""
    found = _PRIVATE_USE_BMP.search(text)
    if found is None:
        return None
    kinds = sorted({f"U+{ord(ch):04X}" for ch in _PRIVATE_USE_BMP.findall(text)})
    line = text.count("\n", 0, found.start()) + 1
    shown = "、".join(kinds[:5]) + (" …" if len(kinds) > 5 else "")
    return warning("private_use_characters", count=private_use_count(text), kinds=shown, line=line)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 LE or BE without a BOM, told apart by which reading is everyday text.

    Only tried when the bytes hold NULs (ASCII digits and punctuation in UTF-16 give them);
    the wrong byte order turns ASCII into rare ideographs and loses on ``everyday_share``.
    """
    if len(data) < 2 * _MIN_UTF16_CHARS or len(data) % 2:
        return None  # a few bytes fit any reading; refuse to guess rather than risk mojibake
    best: tuple[float, str, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        text = _strict(data, codec)
        if text is None or not looks_like_text(text):
            continue
        share = everyday_share(text)
        score = _NEUTRAL_SHARE if share is None else share
        if best is None or score > best[0]:
            best = (score, text, codec)
    if best is None or best[0] < _MIN_EVERYDAY_SHARE:
        return None
    return best[1], best[2]


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def everyday_share(text: str) -> float | None:
    """Share of the ideographs and implausible characters that are everyday Chinese characters.

    Everyday = simplified, among GB2312's 3,755 level-1 characters. ``None`` when the sample
    holds nothing to judge by (only ASCII, punctuation and the like).
    """
    try:
        from pipeline.chinese import to_simplified
    except ImportError:  # scoring still works on simplified text without it
        def to_simplified(t: str) -> str:
            return t

    sample = text[:_SCORE_SAMPLE]
    judged, everyday = 0, 0
    for ch in to_simplified(sample):
        if _is_cjk(ch):
            judged += 1
            try:
                lead = ch.encode("gb2312")[0]
            except UnicodeEncodeError:
                continue
            everyday += 0xB0 <= lead <= 0xD7
        elif not any(lo <= ord(ch) <= hi for lo, hi in _PLAUSIBLE_RANGES):
            judged += 1
    return everyday / judged if judged else None


def _chinese_legacy(data: bytes, path: Path) -> tuple[str, str] | None:
    """GB18030 or Big5, whichever reads as everyday Chinese; None if neither decodes at all.

    Raises ``EncodingError`` when one decodes but only into rare characters (mojibake, or an
    encoding such as Shift-JIS that we do not guess).
    """
    readings: list[tuple[float, int, str, str]] = []
    for codec in ("gb18030", "big5", "big5hkscs"):
        text = _strict(data, codec)
        if text is not None and looks_like_text(text):
            share = everyday_share(text)
            # No CJK and no mojibake signs (fullwidth punctuation, Latin): plausible either way,
            # and the earlier codec — the mainland one — wins the tie.
            score = _NEUTRAL_SHARE if share is None else share
            readings.append((score, -len(readings), text, codec))
            if codec == "big5":
                break  # HKSCS only matters when plain Big5 fails
    if not readings:
        return None
    share, _, text, codec = max(readings)
    if share < _MIN_EVERYDAY_SHARE:
        raise EncodingError.because(path, "mostly_rare_characters", encoding=codec, share=share, name=path.name)
    return text, codec


def _detect(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) from charset-normalizer, limited to encodings trusted for Chinese."""
    from charset_normalizer import from_bytes

    for match in from_bytes(data):
        encoding = _TRUSTED.get(match.encoding)
        if encoding is None:
            continue
        text = _strict(data, encoding)
        if text is not None:
            return text, encoding
    return None


def _cut_in_a_utf8_character(data: bytes) -> bool:
    """Valid UTF-8 up to its last one to three bytes, which begin a character that never ends:
    a UTF-8 file cut short, not a file in another encoding."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        decoder.decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return bool(decoder.getstate()[0])


def decode_text(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding used)``; ``EncodingError`` if unsure.

    Args:
        data: the file's bytes.
        path: used in error messages only.
        encoding: force this codec (the user knows better than any guess); errors still raise.
    """
    if encoding is not None:
        text = _strict(data, encoding)
        if text is None:
            raise EncodingError.because(path, "not_valid_encoding", encoding=encoding, name=path.name)
        return text.lstrip("\ufeff"), encoding

    decoded: tuple[str, str] | None = None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            text = _strict(data, codec)
            if text is None:
                raise EncodingError.because(path, "bom_mismatch", encoding=codec, name=path.name)
            decoded = (text, codec)
            break
    if decoded is None and b"\x00" in data:
        decoded = _utf16_without_bom(data)
    if decoded is None:
        text = _strict(data, "utf-8")
        if text is not None:
            decoded = (text, "utf-8")
        elif _cut_in_a_utf8_character(data):
            raise CorruptFileError.because(path, "utf8_cut_short")
    if decoded is None:
        decoded = _chinese_legacy(data, path)
    if decoded is None:
        decoded = _detect(data)
    if decoded is None:
        raise EncodingError.because(path, "unknown_encoding", name=path.name)
    text, codec = decoded
    if not looks_like_text(text):
        raise EncodingError.because(path, "binary_content", encoding=codec, name=path.name)
    return text, codec


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def page_starts_of(text: str) -> tuple[int, ...]:
    """Raw offsets at which pages begin: 0 and the character after each ``\\f``."""
    starts = [0]
    i = text.find("\f")
    while i != -1:
        starts.append(i + 1)
        i = text.find("\f", i + 1)
    return tuple(starts)


def load_text(
    path: Path, data: bytes, *, fmt: SourceFormat = "txt", sha256: str, encoding: str | None = None
) -> RawDocument:
    """A .txt/.md file as a ``RawDocument`` (``encoding`` records what was used to decode it)."""
    text, used = decode_text(data, path, encoding)
    text = normalize_newlines(text.lstrip("\ufeff"))
    warning = private_use_warning(text)
    return RawDocument(
        path=str(path),
        format=fmt,
        text=text,
        encoding=used,
        sha256=sha256,
        page_starts=page_starts_of(text),
        tables=text_tables(text),
        warnings=(warning,) if warning else (),
    )
