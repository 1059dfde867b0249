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
