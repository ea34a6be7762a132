"""Ruled tables of a PDF, read with pdfplumber only on the pages whose drawing says a table may
be there (``PageScan.table_candidate``); pdfminer's complaints become warnings naming the file."""

from __future__ import annotations

import io
import logging
from contextlib import contextmanager
from pathlib import Path

from pipeline.messages import warning, warning_table
from pipeline.model import RawTable, Span

_log = logging.getLogger(__name__)


def table_span(page_text: str, page_start: int, rows: tuple[tuple[str, ...], ...]) -> Span | None:
    """Where the table's first and last cells sit in the raw text, if both can be found."""
    cells = [c for row in rows for c in row if c.strip()]
    if not cells:
        return None
    first_line = cells[0].strip().split("\n")[0]
    last_line = cells[-1].strip().split("\n")[-1]
    start = page_text.find(first_line)
    if start < 0:
        return None
    end = page_text.find(last_line, start)
    if end < 0:
        return None
    end += len(last_line)
    return Span(start=page_start + start, end=page_start + end)


class _Collected(logging.Handler):
    """pdfminer's log records, kept to be reported with the file instead of printed without it."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []  # what each complaint is about, in Chinese, once each

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        _log.debug("pdfminer (%s): %s", record.name, message)  # the English, for whoever debugs the file
        topic = warning_table().pdfminer_topics.topic(record.name, message)
        if topic not in self.messages and len(self.messages) < 5:
            self.messages.append(topic)


@contextmanager
def pdfminer_warnings(path: Path, warnings: list[str]):
    """pdfminer logs what it refuses (``Refusing to execute circular reference…``) to stderr,
    without the file's name; during the block its records become warnings naming the file."""
    logger = logging.getLogger("pdfminer")
    collected, propagate = _Collected(), logger.propagate
    logger.addHandler(collected)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(collected)
        logger.propagate = propagate
        warnings.extend(warning("pdf_table_problem", name=path.name, what=topic) for topic in collected.messages)


def extract_tables(
    path: Path, data: bytes, page_numbers: list[int], page_texts: list[str], page_starts: list[int]
) -> tuple[list[RawTable], list[str]]:
    """``extract_tables`` on the given 0-based pages only; failures become warnings."""
    if not page_numbers:
        return [], []
    import pdfplumber

    tables: list[RawTable] = []
    warnings: list[str] = []
    try:
        with pdfminer_warnings(path, warnings), \
                pdfplumber.open(io.BytesIO(data), pages=[n + 1 for n in page_numbers]) as pdf:
            for n, page in zip(page_numbers, pdf.pages):
                for found in page.extract_tables():
                    rows = tuple(tuple((cell or "").strip() for cell in row) for row in found)
                    if len(rows) < 1 or not any(any(c for c in row) for row in rows):
                        continue
                    span = table_span(page_texts[n], page_starts[n], rows)
                    tables.append(RawTable(page=n + 1, rows=rows, raw_span=span))
    except Exception as exc:  # noqa: BLE001 - tables are a bonus; the text is already loaded
        _log.info("%s: tables could not be extracted", path, exc_info=exc)
        warnings.append(warning("pdf_tables_failed", name=path.name, kind=type(exc).__name__))
    return tables, warnings
