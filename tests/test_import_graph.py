"""The package's import graph, read from the source (AST, nothing is imported): no import
circles and no layer crossings.

Three kinds of import are told apart:

* **module-level**: run when the module is imported (inside ``try``/``if`` at the top too);
  a circle among these is a defect whatever the order happens to make work today;
* **function-level**: inside a function, run when it is called (lazy imports for start-up
  speed); a circle through them still means two modules need each other;
* **type-only**: under ``if TYPE_CHECKING:``; never run, but still a dependency of the design.

Importing ``hipvision.a.b`` runs ``hipvision/a/__init__.py`` first, so an import of a module
also counts as an import of its packages (the root package excepted: it holds only the version).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "hipvision"
ROOT = "hipvision"

#: Circles being removed right now by other work (issue 14 item 4). Each entry is the one
#: import that closes the circle, with who removes it. Once that work is merged and the
#: import is gone, delete the entry (test_allowed_circles_still_exist says when): the list is
#: meant to end empty.
ALLOWED_CIRCLE_EDGES: dict[tuple[str, str], str] = {}

#: Layer crossings being removed right now, same terms as above (empty: the analyses draw
#: nothing; each family's overlay is reached through ``Family.draw``).
ALLOWED_LAYER_EDGES: dict[tuple[str, str], str] = {}

#: A test family's presentation modules (``hipvision/analyzers/<family>/<part>.py``): they
#: draw (OpenCV), show (Streamlit) or write HTML, and only the callers that present import
#: them, lazily, through the registry. The rest of a family is a pure layer.
PRESENTATION = ("view", "overlay", "report", "live")


def _presentation(name: str) -> bool:
    parts = name.split(".")
    return len(parts) == 4 and parts[1] == "analyzers" and parts[3] in PRESENTATION


#: Libraries only their layer may import (directly, at any level).
OWNED_BY: dict[str, tuple[str, ...]] = {
    "mediapipe": ("hipvision.pose",),  # one module owns the mediapipe import
    "streamlit": ("hipvision.dashboard",),  # and the families' dashboard views
    "altair": ("hipvision.dashboard",),
}
#: Drawing, video and app libraries.
HEAVY = ("cv2", "mediapipe", "streamlit", "av", "matplotlib", "altair", "pandas")
#: Pure layers: numbers and text only. They import none of :data:`HEAVY`, neither directly
#: nor through the hipvision modules they import (at any level).
PURE = (
    "hipvision.geometry",
    "hipvision.dsp",
    "hipvision.cleaning",
    "hipvision.landmarks",
    "hipvision.sequence",
    "hipvision.config",
    "hipvision.errors",
    "hipvision.results",
    "hipvision.schema",
    "hipvision.reps",
    "hipvision.sides",
    "hipvision.plausibility",
    "hipvision.analyzers",
    "hipvision.atomicfile",
)


@dataclass
class Graph:
    modules: dict[str, bool] = field(default_factory=dict)  # name -> is a package
    #: kind ("module", "function", "type") -> {(importer, imported)}
    edges: dict[str, set[tuple[str, str]]] = field(default_factory=lambda: {"module": set(), "function": set(), "type": set()})
    #: (module, top-level name of a library outside hipvision, kind)
    external: set[tuple[str, str, str]] = field(default_factory=set)

    def union(self, *kinds: str) -> set[tuple[str, str]]:
        return set().union(*(self.edges[k] for k in kinds))


def module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    is_pkg = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_pkg else parts), is_pkg


def _imports(tree: ast.Module):
    """(import node, kind) for every import statement of a module."""

    def visit(node: ast.AST, in_function: bool, type_only: bool):
        for child in ast.iter_child_nodes(node):
            fn = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            typ = type_only or (
                isinstance(node, ast.If) and child in node.body and "TYPE_CHECKING" in ast.unparse(node.test)
            )
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, "type" if typ else "function" if in_function else "module"
            yield from visit(child, fn, typ)

    yield from visit(tree, False, False)


def _packages_of(name: str) -> list[str]:
    """The packages importing ``name`` runs first (not the root)."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(2, len(parts))]


def build_graph(package: Path = PACKAGE) -> Graph:
    g = Graph()
    files = sorted(package.rglob("*.py"))
    for f in files:
        name, is_pkg = module_name(f)
        g.modules[name] = is_pkg
    for f in files:
        name, is_pkg = module_name(f)
        for node, kind in _imports(ast.parse(f.read_text(encoding="utf-8"), str(f))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == ROOT:
                        targets.append(alias.name)
                    else:
                        g.external.add((name, alias.name.split(".")[0], kind))
            else:
                if node.level:
                    base = name.split(".") if is_pkg else name.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    mod = ".".join(base + ([node.module] if node.module else []))
                elif (node.module or "").split(".")[0] == ROOT:
                    mod = node.module or ""
                else:
                    g.external.add((name, (node.module or "").split(".")[0], kind))
                    continue
                for alias in node.names:  # `from pkg import sub` imports the module pkg.sub
                    sub = f"{mod}.{alias.name}"
                    targets.append(sub if sub in g.modules else mod)
            for t in targets:
                assert t in g.modules, f"{name} imports {t}, which is not a module of the package"
                own = set(_packages_of(name)) | ({name} if is_pkg else set())
                for dep in (*_packages_of(t), t):
                    if dep != name and dep not in own and dep != ROOT:
                        g.edges[kind].add((name, dep))
    return g


def find_cycles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The import circles: strongly connected groups of more than one module (Tarjan),
    each given as one closed path through it, sorted."""
    succ: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        succ.setdefault(a, []).append(b)
        succ.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(v: str) -> None:  # the package has ~70 modules: recursion depth is no issue
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in succ[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(succ):
        if v not in index:
            connect(v)
    return sorted(_a_path(group, succ) for group in groups)


def _a_path(group: set[str], succ: dict[str, list[str]]) -> list[str]:
    """A closed path through the first module of ``group`` (breadth-first back to it)."""
    start = min(group)
    came: dict[str, str] = {}
    todo = [start]
    while todo:
        v = todo.pop(0)
        for w in succ[v]:
            if w == start:
                path = [v]
                while path[-1] != start:
                    path.append(came[path[-1]])
                return [*reversed(path), start]
            if w in group and w not in came:
                came[w] = v
                todo.append(w)
    raise AssertionError("not a circle")  # pragma: no cover


def _without_parent_links(edges: set[tuple[str, str]], g: Graph) -> set[tuple[str, str]]:
    """Drop a package's lazy (function-level) imports of its own submodules: the registry
    pattern (``analyzers`` loads its analyzer modules on first use; they register with
    ``from . import register``). Python imports a package before its modules, so the only
    circle such a pair can make is at module level, which :func:`test_no_module_level_circles`
    checks with every edge."""
    return {(a, b) for a, b in edges if not (g.modules[a] and b.startswith(a + ".") and (a, b) not in g.edges["module"])}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return build_graph()


def test_the_graph_sees_the_package(graph: Graph) -> None:
    """Known facts about the source, so an AST walk gone blind cannot pass the tests below."""
    assert {"hipvision.api", "hipvision.cli", "hipvision.cli_options", "hipvision.batch.cli", "hipvision.analyzers.rotation"} <= set(graph.modules)
    assert ("hipvision.cli", "hipvision.cli_options") in graph.edges["module"]
    assert ("hipvision.batch.cli", "hipvision.cli_options") in graph.edges["module"]
    assert ("hipvision.cli", "hipvision.batch.cli") in graph.edges["function"]  # lazy: `batch` wired in by build_parser
    assert ("hipvision.cli", "hipvision.batch") in graph.edges["function"]  # ... which runs batch/__init__ first
    assert ("hipvision.pose.mediapipe_backend", "mediapipe", "module") in graph.external
    assert find_cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [["a", "b", "c", "a"]]
    assert find_cycles({("a", "b"), ("b", "c")}) == []


def test_no_module_level_circles(graph: Graph) -> None:
    """Modules importing each other when imported: a defect even where the order happens to
    work (a moved import line turns it into an ImportError)."""
    assert find_cycles(graph.edges["module"]) == []


def test_no_circles_through_lazy_or_type_imports_beyond_the_allowed(graph: Graph) -> None:
    """Two modules needing each other, however late, are one module in two files: no circle
    through function-level or type-only imports either, except the allowed ones being
    removed (:data:`ALLOWED_CIRCLE_EDGES`)."""
    edges = _without_parent_links(graph.union("module", "function", "type"), graph) - set(ALLOWED_CIRCLE_EDGES)
    assert find_cycles(edges) == []


def test_allowances_still_needed(graph: Graph) -> None:
    """An allowance whose import is gone must be deleted, so the lists empty as the work lands."""
    every = graph.union("module", "function", "type")
    gone = {edge: owner for edge, owner in {**ALLOWED_CIRCLE_EDGES, **ALLOWED_LAYER_EDGES}.items() if edge not in every}
    assert not gone, f"these imports are gone: delete them from ALLOWED_CIRCLE_EDGES / ALLOWED_LAYER_EDGES: {gone}"


def test_help_imports_no_heavy_library_at_module_level(graph: Graph) -> None:
    """What ``import hipvision.cli`` runs (module-level imports, followed through hipvision)
    holds no drawing, video, app or scipy import (numpy is fine): ``--help`` stays fast."""
    succ: dict[str, set[str]] = {}
    for a, b in graph.edges["module"]:
        succ.setdefault(a, set()).add(b)
    seen, todo = {"hipvision.cli"}, ["hipvision.cli"]
    while todo:
        for w in succ.get(todo.pop(), ()):
            if w not in seen:
                seen.add(w)
                todo.append(w)
    assert "hipvision.cli_options" in seen
    heavy = {(m, lib) for m, lib, kind in graph.external if m in seen and kind == "module" and lib in (*HEAVY, "scipy")}
    assert heavy == set()


def test_the_command_line_is_the_top(graph: Graph) -> None:
    """Nothing imports the CLI (shared options live in hipvision.cli_options); nothing
    outside the dashboard imports the dashboard; batch is reached only from the CLI."""
    every = graph.union("module", "function", "type")
    assert sorted(a for a, b in every if b == "hipvision.cli") == ["hipvision.__main__"]
    assert [
        (a, b) for a, b in every if b.startswith("hipvision.dashboard") and not a.startswith("hipvision.dashboard") and not _presentation(a)
    ] == []
    assert sorted({a for a, b in every if b.startswith("hipvision.batch") and not a.startswith("hipvision.batch")}) == ["hipvision.cli"]


@pytest.mark.parametrize("library", sorted(OWNED_BY))
def test_libraries_are_imported_only_by_their_layer(graph: Graph, library: str) -> None:
    users = sorted({m for m, lib, _ in graph.external if lib == library})
    assert users, f"nobody imports {library}: the rule is stale"
    assert [m for m in users if not m.startswith(OWNED_BY[library]) and not (library != "mediapipe" and m.endswith(".view") and _presentation(m))] == []


def _layer(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_pure_layers_reach_no_drawing_video_or_app_library(graph: Graph) -> None:
    """geometry, dsp, cleaning, the analyzers and the other pure layers import no OpenCV,
    MediaPipe, PyAV, Streamlit, pandas or matplotlib, directly or through any hipvision
    module they import at any level (:data:`ALLOWED_LAYER_EDGES` aside)."""
    every = _without_parent_links(graph.union("module", "function", "type"), graph) - set(ALLOWED_LAYER_EDGES)
    succ: dict[str, set[str]] = {}
    for a, b in every:
        succ.setdefault(a, set()).add(b)
    heavy_by = {m: {lib for n, lib, _ in graph.external if n == m and lib in HEAVY} for m in graph.modules}
    bad: dict[str, list[str]] = {}
    for start in (m for m in graph.modules if _layer(m, PURE) and not _presentation(m)):
        seen, todo = {start}, [start]
        while todo:
            v = todo.pop()
            if heavy_by[v]:
                bad.setdefault(start, []).append(f"{v} imports {sorted(heavy_by[v])}")
            for w in succ.get(v, ()):
                if w not in seen:
                    seen.add(w)
                    todo.append(w)
    assert bad == {}
