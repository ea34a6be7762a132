"""Building the registry: documents → measures, units, deadlines, targets (the ``taizhang
build`` and ``taizhang extract`` commands around it: ``build_cli.py``).

Incremental: each file's bytes are hashed first; a document whose fingerprint (content sha256 +
the extractor version + its manifest entry) is unchanged is not parsed or extracted again, so a
rebuild with nothing new takes about a second. The extractor version hashes the parsing and
extraction code and every rule table (YAML) under ``pipeline/`` and ``extractors/``, so
changing a lexicon or an extractor re-extracts everything on the next build.

A file that fails gets one line on stderr (file, reason, what to do) and the batch goes on.

A file is one document: edited and built again, its new version replaces the old one (same
path, new content hash, so a new doc_id) in the transaction that stores it, and the report says
which it replaced. Renamed or moved, it is found by its bytes, 文号 or title (``identity.py``);
``as_version_of`` keeps the old one and records a version link instead. Documents that were in the registry but are not in this build are KEPT: a
build never deletes data implicitly. With ``prune`` the documents whose file was removed from
a folder being built leave the registry (``taizhang build --prune``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from extractors.registry.batches import BatchWriter, fill_unchanged, one_line, report_failure
from extractors.registry.build_report import BuildFailure, BuildItem, BuildReport
from extractors.registry.identity import IdentityIndex
from extractors.run import Extraction, extract_document
from pipeline.budget import FileBudget, crash_error, memory_error, within_budget
from pipeline.errors import InternalError, RegistryError, ResourceLimitError, TaizhangError
from pipeline.load import file_sha256, find_files
from pipeline.model import Document
from pipeline.settings import REPO_ROOT, Settings

if TYPE_CHECKING:
    from extractors.export.ledger import Ledger
    from extractors.registry.rows import DocumentRows
    from extractors.registry.store import Registry
    from pipeline.manifest import Manifest, ManifestEntry

EXTRACTOR_VERSION = "1"  # bump for output changes the hashed files cannot see (e.g. a library upgrade)
STAGE_ROOTS: tuple[Path, ...] = (REPO_ROOT / "pipeline", REPO_ROOT / "extractors")
_STAGE_SUFFIXES = {".py", ".yaml", ".yml"}
# code that does not change what is extracted
_NOT_STAGES = {"report.py", "settings.py", "locate.py", "parallel.py"}
_NOT_STAGE_FOLDERS = {"registry", "export", "checks", "tracking"}

# ---------------------------------------------------------------------------- fingerprinting


def extractor_version(roots: Sequence[Path] | None = None) -> str:
    """EXTRACTOR_VERSION + a digest of every stage's code and rule tables (bytes, sorted by path)."""
    digest = hashlib.sha256(EXTRACTOR_VERSION.encode())
    for root in roots if roots is not None else STAGE_ROOTS:
        for path in sorted(root.rglob("*")):
            folders = set(path.relative_to(root).parts[:-1])
            if path.suffix in _STAGE_SUFFIXES and path.name not in _NOT_STAGES \
                    and not folders & (_NOT_STAGE_FOLDERS | {"__pycache__"}) and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return f"{EXTRACTOR_VERSION}.{digest.hexdigest()[:12]}"


def fingerprint(content_sha256: str, version: str, meta: ManifestEntry | None) -> str:
    """``<content sha256>+<digest of version and manifest entry>``: equal means nothing to redo."""
    extra = hashlib.sha256(version.encode())
    if meta is not None:
        extra.update(meta.model_dump_json().encode())
    return f"{content_sha256}+{extra.hexdigest()[:16]}"


def find_documents(paths: Sequence[Path]) -> tuple[list[Path], list[BuildFailure]]:
    """The documents ``paths`` name or hold (``pipeline.load.find_files``), and the paths that
    do not exist or links that lead out of a folder, each as a failure to report."""
    missing = [
        BuildFailure(str(p), TaizhangError.because(p, "path_not_found").message)
        for p in paths if not p.exists()
    ]
    files, refused = find_files(paths)
    return [p for p in files if p.exists()], missing + [BuildFailure(str(e.path), e.message) for e in refused]


def _manifest_entry(path: Path, cache: dict[Path, Manifest]) -> ManifestEntry | None:
    """``path``'s entry in its folder's manifest.json (each manifest read once per build)."""
    from pipeline.manifest import load_manifest

    folder = path.resolve().parent
    if folder not in cache:
        cache[folder] = load_manifest(folder)
        for problem in cache[folder].problems:  # once per folder; its documents are built anyway
            print(f"注意：{problem}", file=sys.stderr, flush=True)
    return cache[folder].for_file(path)


# ------------------------------------------------------------------------- the stages we call


def _parse(path: Path, settings: Settings) -> Iterator[tuple[Path, Document | TaizhangError]]:
    from pipeline.run import parse_paths

    return parse_paths([path], settings)


def _extract(doc: Document) -> Extraction:
    return extract_document(doc)


_STAGE_NAMES = {"parsing": "解析", "extraction": "抽取"}


def _internal_error(path: Path, stage: str, exc: BaseException) -> str:
    """A bug met on ``path``: said in Chinese, with the exception's type and text for the report."""
    error = InternalError.because(path, "internal_error", stage=_STAGE_NAMES.get(stage, stage),
                                  detail=f"{exc.__class__.__name__}: {exc}")
    return one_line(error.message)


# ---------------------------------------------------------------------------------- building


def build_registry(paths: list[Path], settings: Settings, progress: bool = True,
                   prune: bool = False, as_version_of: str | None = None) -> BuildReport:
    """Bring the registry up to date with ``paths`` (files or folders; default: the corpus).
    With ``prune``, documents whose file is no longer in a folder being built are removed.
    With ``as_version_of`` (a registered doc_id), the one document built is recorded as its
    later version and replaces nothing (the user keeps both)."""
    from extractors.registry.store import Registry

    paths = paths or [settings.corpus_dir]
    files, failures = find_documents(paths)
    report = BuildReport()
    for failure in failures:
        report_failure(report, failure)
    with Registry.open(settings) as registry:
        report.registry_url = registry.url
        stored = registry.document_hashes()
        if as_version_of is not None:
            _check_version_target(as_version_of, stored, files, paths)
        by_path: dict[str, list[str]] = {}  # resolved path → the doc_ids stored from it
        sources = registry.source_paths()  # doc_id → the path it was read from
        for doc_id, source in sorted(sources.items()):
            by_path.setdefault(str(Path(source).resolve()), []).append(doc_id)
        version = extractor_version()
        manifests: dict[Path, Manifest] = {}
        todo: list[tuple[Path, str]] = []
        seen: set[str] = set()
        for path in files:
            meta = _manifest_entry(path, manifests)
            try:
                sha = file_sha256(path)
            except OSError as exc:
                error = TaizhangError.because(path, "unreadable", why=exc.strerror)
                report_failure(report, BuildFailure(str(path), error.message))
                continue
            fp = fingerprint(sha, version, meta)
            guess = meta.doc_id if meta is not None else f"{path.stem}-{sha[:8]}"
            for doc_id in (guess, *by_path.get(str(path.resolve()), ())):
                if doc_id is not None and stored.get(doc_id) == fp:
                    seen.add(doc_id)
                    report.items.append(BuildItem(str(path), doc_id, "", "unchanged", 0, 0, 0))
                    _unchanged_file(registry, report, doc_id, path, sources.get(doc_id), as_version_of)
                    break
            else:
                todo.append((path, fp))
        contents = {doc_id: fp.partition("+")[0] for doc_id, fp in stored.items()}  # see fingerprint()
        identity = IdentityIndex(registry.documents(), sources, contents) if todo else None
        # a document someone recorded a later version of is kept on purpose: an edit of the
        # file it shares a path with, or a renamed file, replaces the later version, never it
        kept_versions = {link.previous_id for link in registry.version_links()} if todo else set()
        for ids in by_path.values():
            ids[:] = [d for d in ids if d not in kept_versions]
        writer = BatchWriter(registry, stored, report, by_path, identity, as_version_of, kept_versions)
        # finished documents are stored before waiting on a slow one (on_wait), so a runaway
        # file or a kill never costs the batch its finished work
        with contextlib.closing(_extracted(todo, settings, _parse_and_extract_item,
                                           on_wait=writer.flush)) as extracted:
            for (path, _), results in zip(_progress(todo, progress), extracted):
                writer.add(path, results)
            writer.flush()
        seen.update(item.doc_id for item in report.items)
        seen.update(old for _, olds in report.replaced for old in olds.split(", "))
        fill_unchanged(report, registry)
        report.kept = sorted(set(stored) - seen)
        report.gone = _gone(report.kept, registry.source_paths(), paths)
        if prune and report.gone:
            registry.remove_documents(report.gone)
            report.removed, report.kept = report.gone, sorted(set(report.kept) - set(report.gone))
        report.generation = registry.generation()
    return report


def _check_version_target(previous: str, stored: dict[str, str], files: list[Path],
                          paths: Sequence[Path]) -> None:
    """``--as-version-of`` names a registered document and goes with exactly one file."""
    if previous not in stored:
        raise RegistryError.because(previous, "version_of_unknown_document")
    if len(files) != 1:
        raise RegistryError.because(", ".join(map(str, paths)) or "corpus", "version_of_needs_one_file",
                                    count=len(files))


def _unchanged_file(registry: Registry, report: BuildReport, doc_id: str, path: Path,
                    source: str | None, as_version_of: str | None) -> None:
    """A file already registered with these bytes: record the version link the user asks for;
    if it was moved (its registered path is gone), remember where it is now, so ``--prune`` of
    its old folder does not remove it."""
    if as_version_of is not None and as_version_of != doc_id:
        registry.link_version(doc_id, as_version_of)
        report.linked.append((doc_id, as_version_of))
    if source and Path(source).resolve() != path.resolve() and not Path(source).exists():
        registry.move_source(doc_id, str(path))
        report.moved.append((doc_id, source))


def _gone(kept: list[str], sources: dict[str, str], paths: Sequence[Path]) -> list[str]:
    """The ``kept`` documents whose file was in one of the folders ``paths`` and is there no more."""
    folders = [p.resolve() for p in paths if p.is_dir()]
    gone = []
    for doc_id in kept:
        source = Path(sources.get(doc_id, "")).resolve()
        if any(source.is_relative_to(folder) for folder in folders) and not source.exists():
            gone.append(doc_id)
    return gone


def _failure(path: Path, exc: BaseException, stage: str, settings: Settings | None = None) -> BuildFailure:
    if isinstance(exc, MemoryError):  # not a bug in taizhang: the file needs more than it may have
        exc = memory_error(path, FileBudget.from_settings(settings or Settings()))
    message = exc.message if isinstance(exc, TaizhangError) else _internal_error(path, stage, exc)
    return BuildFailure(str(path), one_line(message))


def _documents_in(path: Path, settings: Settings) -> list[Extraction | BuildFailure]:
    """Each document in ``path`` with its tasks and targets, or why not (never raises)."""
    try:
        results = list(_parse(path, settings))
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop the batch
        return [_failure(path, exc, "parsing", settings)]
    out: list[Extraction | BuildFailure] = []
    for _, doc in results:
        if isinstance(doc, TaizhangError):
            out.append(_failure(path, doc, "parsing"))
            continue
        try:
            extraction = _extract(doc)
        except Exception as exc:  # noqa: BLE001
            out.append(_failure(path, exc, "extraction", settings))
            continue
        out.append(extraction)
    return out


def _parse_and_extract(path: Path, settings: Settings, fp: str) -> list[DocumentRows | BuildFailure]:
    """The registry rows of the document(s) in ``path``, or why not (never raises). Runs in a
    worker process for big batches: everything but the database write happens here."""
    from extractors.registry.rows import document_rows

    out: list[DocumentRows | BuildFailure] = []
    for result in _documents_in(path, settings):
        if isinstance(result, BuildFailure):
            out.append(result)
            continue
        try:
            out.append(document_rows(result.document, result.tasks, result.targets, fp))
        except TaizhangError as exc:  # ids the registry would refuse: an extractor bug
            out.append(_failure(path, exc, "extraction"))
    return out


# How much parsing a byte of each format costs, relative to a byte of plain text. A text-layer
# PDF packs its text tightly (compressed streams, two-byte glyph ids) and every page goes
# through pdfium: a folder of 40 PDFs (1.29 MB, their text 1.03 MB) took 6.9-8.8 s in one
# process, about five times what the same bytes of text take.
_PARSE_COST_PER_BYTE = {".pdf": 4}


def work_bytes(paths: list[Path]) -> int:
    """The batch's size in text-equivalent bytes: what ``parallel_min_bytes`` is compared with."""
    size = 0
    for path in paths:
        with contextlib.suppress(OSError):
            size += path.stat().st_size * _PARSE_COST_PER_BYTE.get(path.suffix.lower(), 1)
    return size


def _workers(settings: Settings, paths: list[Path]) -> int:
    """How many worker processes share the batch (1 with a per-file budget is still a worker
    process: see ``_extracted``)."""
    from pipeline.parallel import usable_cpus

    wanted = settings.build_workers or usable_cpus()
    if wanted <= 1 or len(paths) < 2:
        return 1
    return min(wanted, len(paths)) if work_bytes(paths) >= settings.parallel_min_bytes else 1


def _extracted(todo: list[tuple[Path, str]], settings: Settings, work: Callable[..., list[Any]],
               on_wait: Callable[[], None] | None = None) -> Iterator[list[Any]]:
    """``work`` (``_parse_and_extract_item``: registry rows; ``_documents_in_item``: documents)
    of each (path, fingerprint), in order. With a per-file budget (the default) every file is
    read in a worker process under it (``pipeline.budget``), several workers for big batches;
    without one, small batches stay in this process. The registry is written by this process
    only; ``on_wait`` runs before waiting on a file that is not done."""
    from pipeline.parallel import WorkerCrash, map_in_order

    budget = FileBudget.from_settings(settings)
    work = functools.partial(work, settings=settings)
    if settings.build_ray:
        from extractors.registry.ray_build import ray_map_in_order

        # the per-file budget applies where Ray runs a task in its worker's main thread
        results = ray_map_in_order(work, todo, settings)
    else:
        workers = _workers(settings, [p for p, _ in todo])
        results = map_in_order(work, todo, workers, isolate=budget.enabled, on_wait=on_wait)
    for (path, _), result in zip(todo, results):
        if isinstance(result, WorkerCrash):
            yield [BuildFailure(str(path), one_line(crash_error(path, budget, result.exitcode).message))]
        else:
            yield result


def _budgeted(path: Path, settings: Settings, work: Callable[[], list[Any]]) -> list[Any]:
    """``work()`` under the file's budget when there is one (then this is a worker process)."""
    budget = FileBudget.from_settings(settings)
    if not budget.enabled:
        return work()
    try:
        return within_budget(path, budget, work)
    except ResourceLimitError as exc:
        return [BuildFailure(str(path), one_line(exc.message))]


def _parse_and_extract_item(item: tuple[Path, str], settings: Settings) -> list[DocumentRows | BuildFailure]:
    return _budgeted(item[0], settings, lambda: _parse_and_extract(item[0], settings, item[1]))


def _documents_in_item(item: tuple[Path, str], settings: Settings) -> list[Extraction | BuildFailure]:
    return _budgeted(item[0], settings, lambda: _documents_in(item[0], settings))


def _progress(todo: list[tuple[Path, str]], enabled: bool) -> Iterator[tuple[Path, str]]:
    if not enabled or not todo:
        yield from todo
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        job = bar.add_task("解析和抽取", total=len(todo))
        for path, fp in todo:
            bar.update(job, description=f"{path.name}")
            yield path, fp
            bar.advance(job)


# ---------------------------------------------------------------------------------- without the registry


def extract_ledger(files: list[Path], settings: Settings) -> tuple[Ledger, list[BuildFailure]]:
    """Parse and extract ``files`` without touching the registry."""
    from extractors.export.ledger import Ledger, LedgerDocument

    found, failures = find_documents(files)
    docs: list[LedgerDocument] = []
    todo = [(path, "") for path in found]  # nothing is stored: no fingerprint needed
    with contextlib.closing(_extracted(todo, settings, _documents_in_item)) as extracted:
        results = [result for batch in extracted for result in batch]
    for result in results:
        if isinstance(result, BuildFailure):
            failures.append(result)
        else:
            docs.append(LedgerDocument.of(result.document, list(result.tasks), list(result.targets)))
    return Ledger(tuple(docs)), failures
