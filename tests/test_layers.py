"""The floors of the house hold: no module imports from a layer above its own, and no modules import each other
in a circle. Layers, lowest first: language ← archive ← indexing ← search ← api (README, Architecture)."""

from __future__ import annotations

import ast
from pathlib import Path

LAYERS = ("language", "archive", "indexing", "search", "api")
ROOT = Path(__file__).resolve().parents[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for layer in LAYERS for path in sorted((ROOT / layer).rglob("*.py"))}


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules one file imports, at its top or inside functions (a lazy import is still a dependency)."""
    found: set[str] = set()
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:  # `from archive import models` imports the module archive.models
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {name for name in found if name in modules}


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{m} -> {n}" for m, targets in graph.items() for n in targets if layer(n) > layer(m))


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others (Tarjan's strongly connected parts)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_from_a_higher_layer() -> None:
    assert upward_imports(import_graph()) == []


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert circles(import_graph()) == []


def test_the_checks_see_an_upward_import_and_a_circle() -> None:
    graph = {"archive.db": {"search.text"}, "search.text": {"archive.db"}}
    assert upward_imports(graph) == ["archive.db -> search.text"]
    assert circles(graph) == [["archive.db", "search.text"]]


def test_the_language_floor_imports_nothing_of_the_archive() -> None:
    graph = import_graph()
    assert all(target.startswith("language") for name in graph if name.startswith("language") for target in graph[name])


def test_the_readme_lists_every_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    unlisted = [
        str(path.relative_to(ROOT))
        for path in project_modules().values()
        if "migrations/versions" not in str(path) and f"`{path.relative_to(ROOT)}`" not in readme
    ]
    assert unlisted == []
