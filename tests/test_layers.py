"""The package's layering, read from the source with `ast` (nothing is imported).

- the web layer reaches the engine and the database through the domain modules: it imports
  neither whoosh nor sqlite3;
- a web module imports its siblings (`from .engine import engine`), never names from the
  `searchapp.web` package, and the web modules import each other without a cycle, so no
  import has to hide inside a function;
- nothing below the web layer imports it (the command line, which serves it, is above it);
- tagging and cleaning import nothing above them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "searchapp"
WEB = "searchapp.web"

WHOOSH_ALLOWED: set[str] = set()
WHOOSH = ("whoosh", "searchapp.search.whoosh")
ABOVE_TAGGING = ("searchapp.search", "searchapp.ingest", "searchapp.db", "searchapp.curation",
                 "searchapp.web", "searchapp.accounts", "searchapp.saved", "searchapp.backup",
                 "searchapp.cli", "searchapp.login_throttle", "searchapp.readers")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(under: str = "searchapp") -> dict[str, Path]:
    found = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: p for name, p in found.items() if name == under or name.startswith(under + ".")}


def imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(absolute module, imported names, line) of every import, in functions too."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [(alias.name, [], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            out.append((target, [a.name for a in node.names], node.lineno))
    return out


def within(target: str, prefixes) -> bool:
    return any(target == p or target.startswith(p + ".") for p in prefixes)


def web_siblings(name: str, target: str, names: list[str]) -> set[str]:
    """The web modules an import statement in web module `name` brings in."""
    if target == WEB:
        return {f"{WEB}.{n}" for n in names if f"{WEB}.{n}" in modules(WEB)}
    return {target} if within(target, [WEB]) and target != name else set()


@pytest.mark.parametrize("name", sorted(modules(WEB)))
def test_the_web_imports_neither_whoosh_nor_sqlite(name):
    forbidden = ("sqlite3",) if name in WHOOSH_ALLOWED else ("sqlite3", *WHOOSH)
    found = [(t, line) for t, _, line in imports(modules()[name]) if within(t, forbidden)]
    assert not found, f"{name} imports {found}"


@pytest.mark.parametrize("name", sorted(set(modules(WEB)) - {WEB}))
def test_web_modules_import_siblings_not_the_package(name):
    found = [(t, names, line) for t, names, line in imports(modules()[name]) if t == WEB]
    assert not found, f"{name} imports from the searchapp.web package: {found}"


def test_the_web_modules_form_a_dag():
    graph = {}
    for name, path in modules(WEB).items():
        graph[name] = set().union(*[web_siblings(name, t, names) for t, names, _ in imports(path)])
    done, path = set(), []

    def visit(node):
        assert node not in path, "import cycle: " + " -> ".join(path[path.index(node):] + [node])
        if node in done:
            return
        path.append(node)
        for nxt in sorted(graph[node]):
            visit(nxt)
        path.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)


# The command line and the gunicorn hooks (searchapp.serving) serve the app: they sit above it.
ABOVE_WEB = [WEB, "searchapp.cli", "searchapp.serving"]


@pytest.mark.parametrize("name", sorted(n for n in modules() if not within(n, ABOVE_WEB)))
def test_nothing_below_the_web_imports_it(name):
    found = [(t, line) for t, _, line in imports(modules()[name]) if within(t, [WEB])]
    assert not found, f"{name} imports the web layer: {found}"


@pytest.mark.parametrize("name", sorted([*modules("searchapp.tagging"), "searchapp.cleaning"]))
def test_tagging_and_cleaning_import_nothing_above_them(name):
    found = [(t, line) for t, _, line in imports(modules()[name]) if within(t, ABOVE_TAGGING)]
    assert not found, f"{name} imports {found}"


def test_the_contract_reads_imports_as_python_does():
    """Relative imports resolve as Python resolves them, so a broken rule is seen."""
    web = modules(WEB)
    assert ("searchapp.search", ["EngineConfig", "open_engine"]) in [
        (t, n) for t, n, _ in imports(web[WEB])]
    assert ("searchapp.web.engine", ["engine"]) in [
        (t, n) for t, n, _ in imports(web["searchapp.web.views"])]
    assert web_siblings("searchapp.web.views", WEB, ["engine"]) == {"searchapp.web.engine"}
