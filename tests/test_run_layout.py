"""The runner's layout: no import cycles anywhere in the library, and the layers of run/.

Imports are read with ast from every module (module level and inside functions alike:
a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

LIB = Path(__file__).resolve().parents[1] / "lib" / "smallcaps"


def _modules() -> dict[str, Path]:
    out = {}
    for p in LIB.rglob("*.py"):
        rel = p.relative_to(LIB.parent).with_suffix("")
        if "notebooks" in rel.parts:
            continue
        parts = list(rel.parts[:-1]) if rel.name == "__init__" else list(rel.parts)
        out[".".join(parts)] = p
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        is_pkg = path.name == "__init__.py"
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = name.split(".") if is_pkg else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module or ""
                targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in mods else mod
                           for a in node.names]
            deps |= {t for t in targets if t in mods and t != name}
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_the_library_has_no_import_cycles():
    assert _cycles(_graph()) == []


def test_nothing_below_the_notebooks_imports_the_runner():
    graph = _graph()
    runner = {m for m in graph if m.startswith("smallcaps.run.") or m in (
        "smallcaps.run", "smallcaps.runner")}
    allowed = runner | {"smallcaps", "smallcaps.cli", "smallcaps.cli.run", "smallcaps.cli.report"}
    users = {m for m, deps in graph.items() if deps & runner and m not in allowed}
    assert users == set()


def test_run_package_layers():
    graph = _graph()
    order = ["export", "manifest", "index", "zygote", "kernels", "execute", "batch", "report"]
    for i, low in enumerate(order):
        deps = {d.rsplit(".", 1)[-1] for d in graph[f"smallcaps.run.{low}"]
                if d.startswith("smallcaps.run.")}
        assert deps <= set(order[:i]), (low, deps)
    assert "smallcaps.demo" not in {d for m, deps in graph.items() if m.startswith(
        "smallcaps.data") for d in deps}
