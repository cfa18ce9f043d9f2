"""The map holds: one import direction (api -> kg, never back), no import cycle, and light modules
that stay light (the VoID description loads no loader)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from support import ROOT

PACKAGES = ("kg", "api")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Every project module -> the project modules it imports (at any depth of its code)."""
    files = [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if "data" not in p.relative_to(ROOT).parts]
    assert len(files) > 40, files  # the glob found the code
    names = {_module_name(p) for p in files}
    graph = {}
    for path in files:
        me, deps = _module_name(path), set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                deps |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                deps.add(node.module)
                deps |= {f"{node.module}.{a.name}" for a in node.names}
        graph[me] = {d for d in deps if d in names and d != me and not me.startswith(d + ".")}
    return graph


def test_kg_never_imports_api():
    offenders = {m: sorted(d for d in deps if d.split(".")[0] == "api")
                 for m, deps in _imports().items() if m.split(".")[0] == "kg"}
    assert not {m: d for m, d in offenders.items() if d}


def test_there_is_no_import_cycle():
    graph = _imports()
    state: dict[str, str] = {}  # module -> "open" while on the path, "done" after
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for dep in sorted(graph[module]):
            if state.get(dep) == "open":
                cycles.append(path[path.index(dep):] + [dep])
            elif dep not in state:
                visit(dep, path + [dep])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, cycles


def test_the_void_description_loads_no_loader_module():
    code = ("import sys, kg.describing.void; "
            "print(sorted(m for m in sys.modules if m.startswith(('kg.loading', 'api', 'ruamel', 'pydantic', 'httpx'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", out
