"""The shape of the code: no import cycle inside ``spaces/``, and the two HTTP faces (the pages and
the JSON API) never import each other — both go through the input layer (forms, parsers) and the
services.

An AST walk over ``spaces/``: every ``import`` counts, including those inside functions (a lazy
import still ties the two modules together). ``from pkg import name`` is an edge to ``pkg.name``
when that is a module, else to ``pkg``.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "spaces"


def module_files() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        if name.endswith(".__init__"):
            name = name[: -len(".__init__")]
        modules[name] = path
    return modules


def import_graph() -> dict[str, set[str]]:
    """Module → the modules of ``spaces`` it imports (anywhere in its body)."""
    modules = module_files()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    kept = parts[: len(parts) - node.level + 1]
                    base = ".".join(kept + ([base] if base else []))
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    if candidate in modules:
                        graph[name].add(candidate)
                    elif base in modules:
                        graph[name].add(base)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in modules:
                        graph[name].add(alias.name)
        graph[name].discard(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
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

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for v in sorted(graph):
            if v not in index:
                strong(v)
    finally:
        sys.setrecursionlimit(limit)
    return found


def is_api(module: str) -> bool:
    return module == "spaces.api" or module.startswith("spaces.api.")


def is_page(module: str) -> bool:
    """A module of the HTML face: ``spaces/*/views.py``, ``spaces/*/views/*``,
    ``spaces/*/*_views.py``."""
    parts = module.split(".")
    if is_api(module) or len(parts) < 3:
        return False
    return parts[2] == "views" or parts[-1].endswith("_views")


def crossings(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, imported) pairs where one HTTP face imports the other."""
    return sorted(
        (source, target)
        for source, targets in graph.items()
        for target in targets
        if (is_api(source) and is_page(target)) or (is_page(source) and is_api(target))
    )


def test_no_import_cycle_in_spaces():
    assert cycles(import_graph()) == []


def test_the_cycle_check_fails_when_two_modules_import_each_other():
    graph = import_graph()
    assert "spaces.jobs" in graph["spaces.mail"], "mail imports jobs today"
    graph["spaces.jobs"].add("spaces.mail")  # jobs importing mail back
    assert ["spaces.jobs", "spaces.mail"] in cycles(graph)


def test_imports_inside_functions_are_edges():
    """A lazy import (``def f(): from spaces.x import y``) counts as much as a top-level one."""
    graph = import_graph()
    # bookings/views.py imports the reader's language inside the week strip fragment's view only.
    assert "spaces.i18n" in graph["spaces.bookings.views"]


def test_the_pages_and_the_api_never_import_each_other():
    assert crossings(import_graph()) == []


def test_the_face_check_sees_both_directions():
    graph = import_graph()
    before = set(crossings(graph))
    assert is_page("spaces.listings.views.search")
    assert is_page("spaces.bookings.views")
    assert is_page("spaces.calendars.import_views")
    assert not is_page("spaces.listings.vocabulary")
    graph["spaces.api.search"].add("spaces.listings.views.search")
    graph["spaces.calendars.views"].add("spaces.api.calendars")
    assert set(crossings(graph)) - before == {
        ("spaces.api.search", "spaces.listings.views.search"),
        ("spaces.calendars.views", "spaces.api.calendars"),
    }
