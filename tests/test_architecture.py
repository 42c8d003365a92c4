"""The package's shape: imports run one way down the data flow, no cycles, small modules and functions.

The stages and what each may import are written in each subpackage's ``__init__`` docstring and in the
README's package map; this test is their enforcement. It reads the source with :mod:`ast` (nothing is
imported), so a violation is reported with its file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "analysis"

#: rank of each stage along the data flow; a module may import its own stage or a strictly lower rank
RANK = {"foundation": 0, "data": 1, "stats": 1, "study": 2, "paper": 3, "synth": 4, "report": 5, "cli": 6}
FOUNDATION = {"analysis", "analysis.errors", "analysis.paths", "analysis.params"}
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80  # from `def` to the end, docstring not counted


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> str:
    if module in FOUNDATION:
        return "foundation"
    if module in ("analysis.cli", "analysis.__main__"):
        return "cli"
    return module.split(".")[1]


def _sources() -> dict[str, tuple[Path, ast.Module]]:
    return {_module_name(p): (p, ast.parse(p.read_text(encoding="utf-8")))
            for p in sorted(PACKAGE.rglob("*.py"))}


SOURCES = _sources()


def _imports(module: str, tree: ast.Module) -> list[tuple[int, str]]:
    """Every ``analysis.*`` module imported anywhere in the file (function-level imports included)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("analysis")]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:  # relative import
                pkg = module.split(".") if (PACKAGE.parent / Path(*module.split("."))).is_dir() else \
                    module.split(".")[:-1]
                base = ".".join(pkg[:len(pkg) - node.level + 1] + [node.module])
            if not base.startswith("analysis"):
                continue
            for alias in node.names:  # `from analysis.x import y` may import the submodule y
                sub = f"{base}.{alias.name}"
                found.append((node.lineno, sub if sub in SOURCES else base))
    return [(line, name) for line, name in found if name in SOURCES and name != module]


def test_no_module_imports_a_later_stage_of_the_data_flow():
    upward = []
    for module, (path, tree) in SOURCES.items():
        mine = _stage(module)
        for line, target in _imports(module, tree):
            theirs = _stage(target)
            if theirs != mine and RANK[theirs] >= RANK[mine]:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {mine} imports {target} ({theirs})")
    assert not upward, "imports against the data flow:\n" + "\n".join(upward)


def test_the_import_graph_has_no_cycles():
    graph = {m: sorted({t for _, t in _imports(m, tree)}) for m, (_, tree) in SOURCES.items()}
    # a package's __init__ re-exporting its own modules is not a cycle back from them
    for m in graph:
        graph[m] = [t for t in graph[m]
                    if not (m.startswith(t + ".") and (PACKAGE.parent / Path(*t.split("."))).is_dir())]
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in graph[node]:
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for m in graph:
        if m not in state:
            visit(m, [m])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_modules_are_small(module):
    path, _ = SOURCES[module]
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(PACKAGE.parent)} has {lines} lines"


def _function_length(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    length = node.end_lineno - node.lineno + 1
    doc = node.body[0] if node.body else None
    if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant) and isinstance(doc.value.value, str):
        length -= doc.end_lineno - doc.lineno + 1
    return length


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_functions_are_short(module):
    path, tree = SOURCES[module]
    long = [f"{node.name} (line {node.lineno}): {_function_length(node)} lines"
            for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and _function_length(node) > MAX_FUNCTION_LINES]
    assert not long, f"{path.relative_to(PACKAGE.parent)}: " + "; ".join(long)


def test_the_checker_sees_an_upward_import_and_a_cycle():
    # the rules above can fail: a hand-made graph with one upward import and one cycle
    assert RANK[_stage("analysis.data.validate")] < RANK[_stage("analysis.study.tables")]
    tree = ast.parse("from analysis.study import tables\n")
    assert _imports("analysis.data.validate", tree) == [(1, "analysis.study.tables")]
    assert _stage("analysis.errors") == "foundation" and _stage("analysis.cli") == "cli"
