"""Imports inside ``lms.authoring`` go one way: no module imports itself through others."""

from __future__ import annotations

import ast
from pathlib import Path

import lms.authoring

PACKAGE = "lms.authoring"
ROOT = Path(lms.authoring.__file__).resolve().parent


def _modules() -> dict[str, Path]:
    modules = {}
    for file in ROOT.rglob("*.py"):
        parts = file.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join((PACKAGE, *parts))] = file
    return modules


def _imports(name: str, file: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of the package that ``name`` imports anywhere (in functions too, and
    under ``TYPE_CHECKING``: the layering holds for all of them)."""
    package = name if file.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        else:
            continue
        found |= {target for target in targets if target in modules}
    found.discard(name)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    result: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph[module]):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return result


def test_no_import_cycle_inside_authoring() -> None:
    modules = _modules()
    graph = {name: _imports(name, file, modules) for name, file in modules.items()}
    assert "lms.authoring.registry" in graph["lms.authoring.types.forum"]  # the check sees it
    assert _cycles(graph) == []


def test_the_registry_imports_no_type() -> None:
    modules = _modules()
    imported = _imports("lms.authoring.registry", modules["lms.authoring.registry"], modules)
    assert not {m for m in imported if m.startswith("lms.authoring.types")}
    assert not {m for m in imported if m == "lms.authoring.builtin"}
