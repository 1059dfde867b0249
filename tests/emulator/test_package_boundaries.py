"""The emulator is its own package: it imports nothing from gkeplan, and its modules import
each other without cycles (imports inside functions and under TYPE_CHECKING included)."""

from __future__ import annotations

import ast
from pathlib import Path

import gkeplan_emulator

ROOT = Path(gkeplan_emulator.__file__).parent


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(root: Path, path: Path) -> list[tuple[int, str, tuple[str, ...]]]:
    """Every import statement anywhere in `path`: (line, module, names imported from it),
    relative imports resolved; importlib.import_module("...") calls count too."""
    module = _module_name(root, path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str, tuple[str, ...]]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base, tuple(a.name for a in node.names)))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
        ):
            arg = node.args[0]
            text = arg.value if isinstance(arg, ast.Constant) else ast.unparse(arg)
            found.append((node.lineno, str(text).strip("f'\""), ()))
    return found


def _files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.py"))


def test_the_emulator_imports_nothing_from_gkeplan() -> None:
    offenders = [
        f"{path.relative_to(ROOT.parent)}:{line}: {name}"
        for path in _files(ROOT)
        for line, name, _ in imports(ROOT, path)
        if name == "gkeplan" or name.startswith("gkeplan.")
    ]
    assert offenders == []


def test_the_checker_sees_imports_inside_functions_and_type_checking_blocks(
    tmp_path: Path,
) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    source = pkg / "m.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from gkeplan.x import Y\n"
        "def f():\n    import gkeplan.catalog\n"
        "    from . import sibling\n"
    )
    names = [name for _, name, _ in imports(pkg, source)]
    assert sorted(names) == ["gkeplan.catalog", "gkeplan.x", "pkg", "typing"]


def _graph(root: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports (a name imported from a package counts as
    its submodule when one has that name)."""
    modules = {_module_name(root, p): p for p in _files(root)}

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges: set[str] = set()
        for _, module, names in imports(root, path):
            targets = [f"{module}.{n}" for n in names if f"{module}.{n}" in modules]
            if len(targets) < len(names) or not names:
                targets.append(module)
            edges |= {t for t in map(resolve, targets) if t and t != name}
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_emulators_modules_import_each_other_without_cycles() -> None:
    assert find_cycle(_graph(ROOT)) is None


def test_the_cycle_check_sees_a_type_checking_cycle(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg import b\n")
    (pkg / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import X\n"
    )
    assert find_cycle(_graph(pkg)) == ["pkg.a", "pkg.b", "pkg.a"]


def test_importing_the_package_and_its_cli_loads_no_google_client_or_server() -> None:
    """`gkeplan --help` imports the sandbox command group: it must stay fast."""
    import subprocess
    import sys

    code = (
        "import sys, gkeplan_emulator, gkeplan_emulator.cli; "
        "print(sorted(m for m in sys.modules if m.startswith("
        "('google.cloud', 'grpc', 'werkzeug'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
