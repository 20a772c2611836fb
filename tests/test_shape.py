"""The shape every app keeps (STYLE.md, rules 18 and 19): short modules, private names kept
inside their module, and no import cycle among the modules of one app.

Plain static checks of the source: no database, no Django setup. Each failure lists every
offender, so that one run shows all there is to fix.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import grimp
import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "sportello"
MAX_LINES = 450  # aim for 400; past this a module is two modules


def python_files() -> Iterator[Path]:
    yield from sorted((SRC / PACKAGE).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str) -> bool:
    """Whether a dotted name under `sportello` is a module or package (not a name inside one)."""
    base = SRC.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def test_no_module_is_longer_than_the_limit() -> None:
    too_long = []
    for path in python_files():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long.append(f"{path.relative_to(SRC)}: {lines} lines")
    assert not too_long, f"Modules over {MAX_LINES} lines:\n" + "\n".join(too_long)


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def imported_from(node: ast.ImportFrom, module: str, path: Path) -> str:
    """The absolute module an ImportFrom reads from, relative imports resolved."""
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr}" if head else None
    return None


def private_uses(path: Path) -> Iterator[str]:
    module = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    # Local names bound to sportello modules: `import sportello.x.y [as z]`, `from x import y`.
    modules: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    local = alias.asname or alias.name.split(".")[0]
                    modules[local] = alias.name if alias.asname else PACKAGE
        elif isinstance(node, ast.ImportFrom):
            source = imported_from(node, module, path)
            if source.split(".")[0] != PACKAGE:
                continue
            for alias in node.names:
                if is_private(alias.name) and source != module:
                    yield f"{module}:{node.lineno} imports {alias.name} from {source}"
                elif is_module(f"{source}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{source}.{alias.name}"
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and is_private(node.attr)):
            continue
        target = dotted(node.value)
        if target is None or target.split(".")[0] not in modules:
            continue
        head, _, rest = target.partition(".")
        owner = ".".join(filter(None, [modules[head], rest]))
        if is_module(owner) and owner != module:
            yield f"{module}:{node.lineno} uses {owner}.{node.attr}"


def test_no_private_name_is_used_outside_its_module() -> None:
    found = [use for path in python_files() for use in private_uses(path)]
    assert not found, "Private names used from another module:\n" + "\n".join(found)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # Imports inside functions count: a cycle that only closes at run time is still a cycle.
    return grimp.build_graph(PACKAGE, cache_dir=None)


def strongly_connected(nodes: set[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; only the components with more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
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
    return found


def test_no_import_cycle_inside_an_app(graph: grimp.ImportGraph) -> None:
    cycles = []
    for app in sorted(graph.find_children(PACKAGE)):
        modules = graph.find_descendants(app) | {app}
        edges = {
            module: graph.find_modules_directly_imported_by(module) & modules for module in modules
        }
        for component in strongly_connected(modules, edges):
            cycles.append(f"{app}: " + ", ".join(component))
    assert not cycles, "Import cycles among the modules of one app:\n" + "\n".join(cycles)
