"""The project's import graph, read from the source (no module is imported to build it).

Every import counts: top-level, function-local and those under ``if TYPE_CHECKING:``. A module is
the dotted path of a ``.py`` file under one of `PACKAGES`; an import of a name that is not itself a
module (``from connectors.erp import FakeERP``) is an edge to the deepest module it names
(``connectors.erp``, the package's ``__init__``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("agents", "connectors", "governance", "mocks", "observability", "opspack", "fixtures")


@dataclass(frozen=True)
class Graph:
    files: dict[str, Path]
    """Module name -> source file."""
    edges: dict[str, set[str]]
    """Module name -> the project modules it imports."""


def module_files(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            files[".".join(parts)] = path
    return files


def _deepest(name: str, files: dict[str, Path]) -> str | None:
    while name and name not in files:
        name = name.rpartition(".")[0]
    return name or None


def imported_modules(module: str, path: Path, files: dict[str, Path]) -> set[str]:
    """The project modules `module` imports (relative imports resolved), wherever the import sits.

    ``from a.b import c`` is an edge to ``a.b.c`` when that is a module, else to ``a.b`` (or the
    deepest module above it); the parent packages Python runs on the way are not counted, as
    a package's ``__init__`` that re-exports its submodules would otherwise tie every importer
    of the package into one knot.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    targets: set[str | None] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(_deepest(alias.name, files) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join([*parts, *([node.module] if node.module else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                targets.add(full if full in files else _deepest(base, files))
    return {t for t in targets if t is not None and t != module}


def build(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> Graph:
    files = module_files(root, packages)
    edges = {module: imported_modules(module, path, files) for module, path in files.items()}
    return Graph(files, edges)


def cycles(graph: Graph) -> list[list[str]]:
    """Strongly connected components of more than one module (each is at least one import cycle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph.edges):
        if start in index:
            continue
        # Iterative Tarjan: (node, iterator over its successors).
        work = [(start, iter(sorted(graph.edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for succ in successors:
                if succ not in index:
                    index[succ] = low[succ] = counter
                    counter += 1
                    stack.append(succ)
                    on_stack.add(succ)
                    work.append((succ, iter(sorted(graph.edges[succ]))))
                    advanced = True
                    break
                if succ in on_stack:
                    low[node] = min(low[node], index[succ])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def layer(module: str) -> str:
    return module.partition(".")[0]
