"""The shape of the package, read from the source with ``ast`` (nothing is imported).

* no import cycles among morphtok modules;
* layers point down: a module of one layer never imports a later one;
* no module over 400 lines, no function over 60.

Every ``import`` counts, at module level and inside functions (a function-level import is
how a back-edge hides), ``if TYPE_CHECKING:`` ones too: they are dependencies all the same.
An import of ``morphtok.a.b`` is an edge to that module only, not to the packages above it
(Python runs ``morphtok.a/__init__`` first, but that order is not a dependency of ours).

Layers, bottom up (see docs/architecture.md):

0. shared: ``errors``, ``registry``, ``atomic``, ``progress``, ``config``, ``config_checks``,
   ``gguf``, ``presets`` (the config presets), ``morphtok/__init__``: imported by anyone, they
   import only each other;
1. ``lang`` -> 2. ``segment`` -> 3. ``data`` -> 4. ``train`` ->
5. ``cluster``: it renders the training jobs (``train.bridge_recipe``) and runs the CPU steps
   (``data.preprocess``) on the scheduler; the study hands training to it, benchmarks never need it;
6. ``bench`` -> 7. ``eval`` -> 8. ``analysis`` -> 9. ``study``;
10. ``cli``: the ``morphtok`` command, which registers every layer's commands.

A layer's modules may import each other (cycles aside).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "morphtok"
SHARED = {"errors", "registry", "atomic", "progress", "config", "config_checks", "gguf", "presets"}
LAYERS = ["shared", "lang", "segment", "data", "train", "cluster", "bench", "eval", "analysis", "study", "cli"]
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    lines: int
    imports: dict[str, int] = field(default_factory=dict)  # imported morphtok module -> first line


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, module: Module) -> str:
    """The module an ``ImportFrom`` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    package = module.name.split(".")
    if module.path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: Module, known: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for node in ast.walk(module.tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module)
            # "from pkg import sub" depends on pkg.sub; "from pkg import name" on pkg itself
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            # "import morphtok.a.b.c" where c is not a module: the deepest module named
            while target and target not in known and "." in target:
                target = target.rsplit(".", 1)[0]
            if target in known and target != module.name:
                found.setdefault(target, node.lineno)
    return found


def _load() -> dict[str, Module]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = _module_name(path)
        modules[name] = Module(name, path, ast.parse(text, filename=str(path)), len(text.splitlines()))
    known = set(modules)
    for module in modules.values():
        module.imports = _imports(module, known)
    return modules


MODULES = _load()


def layer(name: str) -> int:
    parts = name.split(".")
    if len(parts) == 1 or parts[1] in SHARED:
        return LAYERS.index("shared")
    if parts[1] not in LAYERS:
        raise AssertionError(f"{name}: not in any layer; add it to LAYERS (and to docs/architecture.md)")
    return LAYERS.index(parts[1])


def _where(module: Module, line: int) -> str:
    return f"{module.path.relative_to(PACKAGE.parents[1])}:{line}"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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


def test_the_cycle_finder_finds_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_source_is_parsed():
    # The parser sees function-level and relative imports (or every other check passes vacuously).
    assert len(MODULES) > 100
    cli = MODULES["morphtok.cli"]
    assert "morphtok.study.cli" in cli.imports  # imported inside main()
    assert "morphtok.errors" in MODULES["morphtok.study.runner"].imports


def test_no_import_cycles():
    graph = {name: set(module.imports) for name, module in MODULES.items()}
    found = cycles(graph)
    report = []
    for component in found:
        members = set(component)
        for name in component:
            module = MODULES[name]
            report += [f"  {_where(module, line)}: {name} -> {target}"
                       for target, line in sorted(module.imports.items()) if target in members]
    assert not found, f"{len(found)} import cycle(s):\n" + "\n".join(report)


def test_layers_point_down():
    back_edges = [
        f"  {_where(module, line)}: {name} ({LAYERS[layer(name)]}) imports {target} ({LAYERS[layer(target)]})"
        for name, module in sorted(MODULES.items())
        for target, line in sorted(module.imports.items())
        if layer(target) > layer(name)
    ]
    assert not back_edges, f"{len(back_edges)} import(s) of a later layer:\n" + "\n".join(back_edges)


def test_modules_and_functions_stay_small():
    big = [f"  {_where(m, 1)}: {m.lines} lines" for m in MODULES.values() if m.lines > MAX_MODULE_LINES]
    long = []
    for module in MODULES.values():
        for node in ast.walk(module.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"  {_where(module, node.lineno)}: {node.name}() {length} lines")
    assert not big + long, (f"{len(big)} module(s) over {MAX_MODULE_LINES} lines, {len(long)} function(s) over "
                            f"{MAX_FUNCTION_LINES}:\n" + "\n".join(sorted(big) + sorted(long)))


def test_every_module_has_a_layer():
    unplaced = [name for name in MODULES if name.split(".")[1:2] and name.split(".")[1] not in SHARED | set(LAYERS)]
    assert not unplaced, f"modules in no layer (add them to LAYERS and docs/architecture.md): {unplaced}"
