"""``taizhang eval <what>``: dispatch to the scorers, each imported only when asked for.

    extraction   eval/extraction_eval.py   (measures, units, deadlines, targets vs eval/gold/:
                                           corpus, real documents dev and held out)
    extraction-dev                         (the real documents' development set, every error listed)
    search       eval/search_eval.py       (retrieval quality, development queries)
    heldout      eval/search_eval.py       (retrieval quality, held-out queries; the blind set never tuned on)
    consistency  eval/consistency_eval.py  (cross-document findings)
    diff         eval/diff_eval.py         (version diff vs second versions with known edits)
    trace        eval/trace_eval.py        (承接 links vs eval/gold/trace.yaml)
    all          the three, in that order

Each scorer exposes ``main(settings) -> dict``; it prints its own tables and returns the numbers.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

from pipeline.settings import Settings

SCORERS: dict[str, str] = {
    "extraction": "eval.extraction_eval",
    "extraction-dev": "eval.extraction_eval:main_dev",
    "search": "eval.search_eval",
    "heldout": "eval.search_eval:main_heldout",
    "consistency": "eval.consistency_eval",
    "diff": "eval.diff_eval",
    "trace": "eval.trace_eval",
}


def load_scorer(what: str) -> Callable[[Settings], dict]:
    """The ``main`` of the scorer module for ``what``.

    Raises LookupError with a one-line reason when the module (or its ``main``) does not exist:
    the other scorers can still run.
    """
    module_name, _, function = SCORERS[what].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise LookupError(f"{module_name} does not exist yet: no {what} scorer to run") from exc
        raise LookupError(f"{module_name} cannot be imported: missing module {exc.name!r}") from exc
    main = getattr(module, function or "main", None)
    if not callable(main):
        raise LookupError(f"{module_name} has no main(settings) function")
    return main


def run_eval_command(what: str, settings: Settings) -> bool:
    """Run one scorer or all of them; False when any requested scorer is missing or failed."""
    if what != "all" and what not in SCORERS:
        print(f"eval: unknown target {what!r}; choose one of: {', '.join([*SCORERS, 'all'])}", file=sys.stderr)
        return False
    ok = True
    for name in [n for n in SCORERS if n != "extraction-dev"] if what == "all" else [what]:
        try:
            scorer = load_scorer(name)
        except LookupError as exc:
            print(f"eval {name}: skipped — {exc}", file=sys.stderr)
            ok = False
            continue
        result = scorer(settings)
        if isinstance(result, dict) and (result.get("failures") or result.get("gold_problems")):
            ok = False  # numbers were printed, but some document or gold file did not score
    return ok
