"""The layout of `kb/`: import arrows run one way, and no module grows past a size a reader
can hold (docs/architecture.md draws the rooms).

Read from the source with `ast`, importing nothing, so a circle is found even where the
import order of the day happens to hide it.

The rule for circles:
- Between modules, imports run at module level (on import) must never form a circle.
- Between rooms (a room is a top-level package or module of `kb`: `kb.models`, `kb.search`,
  `kb.importers`, `kb.kept`...), every import counts, those inside a function too: an
  import moved into a function to dodge a circle is still a circle.
- Inside one room, an import inside a function may point back (a model's method naming
  a model its module's imports cannot): the room moves together.
- Imports under `if TYPE_CHECKING:` never run and are not counted.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 600

# Modules still over MAX_LINES: none now. Never add to it.
BIG_MODULES: set[str] = set()


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted((ROOT / "kb").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]):
    """(imported kb module, at module level?) for each import in `path`: `from kb.a import
    b` is kb.a.b when that is a module, else kb.a."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]

    def target(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    def walk(node, in_function: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                yield from walk(child, True)
                continue
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name == "kb" or alias.name.startswith("kb."):
                        yield target(alias.name), not in_function
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    up = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join(up + ([base] if base else []))
                if base == "kb" or base.startswith("kb."):
                    for alias in child.names:
                        yield target(f"{base}.{alias.name}"), not in_function
            yield from walk(child, in_function)

    for imported, at_module_level in walk(ast.parse(path.read_text(encoding="utf-8")), False):
        if imported and imported != name:
            yield imported, at_module_level


def room(module: str) -> str:
    return ".".join(module.split(".")[:2])


def a_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle in `graph`, as the nodes along it (the first repeated at the end)."""
    state, path = {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def graphs():
    known = modules()
    module_level, rooms = defaultdict(set), defaultdict(set)
    for name, path in known.items():
        for imported, at_module_level in imports(name, path, known):
            if at_module_level:
                module_level[name].add(imported)
            if room(name) != room(imported):
                rooms[room(name)].add(room(imported))
    return module_level, rooms


def test_no_module_level_import_circle():
    module_level, _ = graphs()
    circle = a_circle(module_level)
    assert circle is None, "import circle: " + " -> ".join(circle)


def test_no_import_circle_between_rooms():
    _, rooms = graphs()
    circle = a_circle(rooms)
    assert circle is None, "import circle between rooms: " + " -> ".join(circle)


def test_the_checker_finds_a_circle():
    assert a_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert a_circle({"a": {"b"}, "b": {"c"}}) is None


def test_no_module_is_too_big_to_read():
    big = {
        path.relative_to(ROOT).as_posix(): n
        for path in (ROOT / "kb").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert set(big) <= BIG_MODULES, {p: n for p, n in big.items() if p not in BIG_MODULES}


def test_the_big_modules_are_still_big():
    """A module split below the limit leaves BIG_MODULES, so the list only shrinks."""
    shrunk = [
        path
        for path in BIG_MODULES
        if len((ROOT / path).read_text(encoding="utf-8").splitlines()) <= MAX_LINES
    ]
    assert not shrunk, f"under {MAX_LINES} lines now, drop from BIG_MODULES: {shrunk}"
