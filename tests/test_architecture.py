"""The package's layers, checked from its source: no import cycles, and imports point only
down the layers (nodes -> backends -> algorithms / run -> storage; the edge on top).

Imports are read with ``ast`` (including imports inside functions, excluding ``if
TYPE_CHECKING:`` blocks), so a cycle hidden in a function body counts too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "typedspace"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue  # annotations only: not imported at run time
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _runtime_imports(node)


def imports_of(module: str) -> set[str]:
    """The typedspace modules ``module`` imports (a name imported from a package counts as
    the submodule when there is one)."""
    found: set[str] = set()
    for node in _runtime_imports(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:  # relative import
                package = (
                    module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
                )
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}" if base else package
            targets = [f"{base}.{alias.name}" for alias in node.names]
            targets = [t if t in MODULES else base for t in targets]
        found |= {t for t in targets if t in MODULES}
    return found - {module}


GRAPH = {module: imports_of(module) for module in MODULES}


def _cycles() -> list[list[str]]:
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
        for w in sorted(GRAPH[v]):
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

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_the_import_graph_is_read() -> None:
    assert "typedspace.backends._flatten" in GRAPH["typedspace.backends._encode"]
    assert "typedspace.nodes._containers" in GRAPH["typedspace.nodes._choice"]


def test_no_import_cycles() -> None:
    assert _cycles() == []


def test_a_cycle_would_be_found(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check itself: the old Choice <-> as_space cycle between two node modules.
    monkeypatch.setitem(
        GRAPH,
        "typedspace.nodes._containers",
        GRAPH["typedspace.nodes._containers"] | {"typedspace.nodes._choice"},
    )
    assert _cycles() == [["typedspace.nodes._choice", "typedspace.nodes._containers"]]


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "typedspace"


#: What each layer may import besides itself (every layer may use errors, _grid, _exports).
ALLOWED = {
    "nodes": {"distributions"},
    "distributions": set(),
    "backends": {"nodes", "distributions"},
    "algorithms": {"backends"},
    "storage": {"backends", "nodes", "distributions"},
    "pruners": set(),
    "run": {"algorithms", "backends", "nodes", "storage", "distributions", "pruners"},
}
SHARED = {"errors", "_grid", "_exports"}


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_point_down_the_layers(layer: str) -> None:
    wrong = {
        (module, target)
        for module, targets in GRAPH.items()
        if _layer(module) == layer
        for target in targets
        if _layer(target) not in ALLOWED[layer] | SHARED | {layer}
    }
    assert wrong == set()


def test_algorithms_see_only_the_parameter_table() -> None:
    seen = {t for m, ts in GRAPH.items() if _layer(m) == "algorithms" for t in ts}
    assert {t for t in seen if _layer(t) == "backends"} == {"typedspace.backends._table"}
    assert not {t for t in GRAPH["typedspace.backends._table"] if _layer(t) == "nodes"}


def test_shared_modules_import_no_layer() -> None:
    for module in ("typedspace.errors", "typedspace._grid", "typedspace._exports"):
        assert GRAPH[module] == set(), module
