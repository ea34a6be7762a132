"""Where a thing is in the original file, as a reader names it: 第3页第12行, or 第12行 in a file
that has no pages."""

from __future__ import annotations


def has_pages(source_format: str, page_starts: tuple[int, ...]) -> bool:
    """Whether "第N页" means something in the original file: a PDF has pages, and so does a text
    file that holds form feeds. A .txt, .md, .html or .docx read as one stream has none (a .docx's
    pages are Word's layout, which the loader does not see), so only its line is shown."""
    return source_format == "pdf" or len(page_starts) > 1


def page_line_text(page: int, line_start: int, *, line_end: int | None = None, page_end: int | None = None,
                   paged: bool = True, sep: str = "") -> str:
    """``第3页第12—15行`` (across pages ``第3页第40行—第4页第2行``) where the original has pages,
    ``第12—15行`` where it has none; ``sep`` goes between page and line (a line break in a narrow
    printed column)."""
    line_end = line_start if line_end is None else line_end
    if not paged:
        return f"第{line_start}—{line_end}行" if line_end > line_start else f"第{line_start}行"
    end_page = page_end or page
    if end_page != page:
        return f"第{page}页{sep}第{line_start}行—第{end_page}页{sep}第{line_end}行"
    if line_end > line_start:
        return f"第{page}页{sep}第{line_start}—{line_end}行"
    return f"第{page}页{sep}第{line_start}行"
