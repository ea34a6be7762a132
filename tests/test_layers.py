"""The import-layer contract: ``search_api → extractors → pipeline``, no cycles, no private names
across modules. Read from the source (every import, function-level ones included), so a cycle
cannot hide behind an import inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("pipeline", "extractors", "search_api", "eval", "bench", "fuzz")
LAYER = {"pipeline": 0, "extractors": 1, "search_api": 2}
# the one entry point sits at the top and may start any command, the scorers included
ALLOWED_UPWARD = {("search_api.cli", "eval")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py")}


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The project module an import names (``a.b.c`` may be ``a.b`` with an attribute ``c``)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(module: str) -> list[tuple[str, tuple[str, ...]]]:
    """(imported project module, names taken from it) for every import statement in ``module``."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(m, ()) for a in node.names if (m := _resolve(a.name))]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = _resolve(f"{node.module}.{alias.name}")
                if sub is not None and sub != _resolve(node.module):
                    out.append((sub, ()))
                elif (m := _resolve(node.module)) is not None:
                    out.append((m, (alias.name,)))
    return out


GRAPH = {m: {t for t, _ in imports_of(m) if t != m} for m in MODULES}


def test_the_tree_is_read() -> None:
    assert "extractors.run" in MODULES and "pipeline.model" in MODULES
    assert "pipeline.model" in GRAPH["extractors.run"]


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.split(".")[0] in LAYER))
def test_imports_point_down(module: str) -> None:
    mine = LAYER[module.split(".")[0]]
    upward = [
        t for t in GRAPH[module]
        if LAYER.get(t.split(".")[0], 99) > mine or (t.split(".")[0] in ("eval", "bench", "fuzz"))
    ]
    upward = [t for t in upward if (module, t.split(".")[0]) not in ALLOWED_UPWARD]
    assert not upward, f"{module} imports a layer above it: {upward}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    # a package's __init__ that re-exports its modules is not a cycle of code
    graph = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in GRAPH.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_private_names_cross_modules() -> None:
    crossing = [
        f"{module} takes {name} from {source}"
        for module in MODULES
        for source, names in imports_of(module)
        for name in names
        if name.startswith("_") and not name.startswith("__") and source != module
    ]
    assert crossing == []
