"""`${NAME}` interpolation: values from --var, --var-file, GKEPLAN_VAR_NAME, then the default."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gkeplan.catalog import closest
from gkeplan.errors import Diagnostic, Location, Path, SpecError
from gkeplan.spec.yamlsource import SourceMap

ENV_PREFIX = "GKEPLAN_VAR_"
_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _declared(data: Mapping[str, Any]) -> dict[str, Any]:
    section = data.get("variables")
    return dict(section) if isinstance(section, dict) else {}


def _uses(data: Any, path: Path, out: list[tuple[Path, str]]) -> None:
    if isinstance(data, str):
        if "${" in data:
            out.append((path, data))
    elif isinstance(data, dict):
        for key, value in data.items():
            if not path and key == "variables":
                continue
            _uses(value, (*path, key), out)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _uses(value, (*path, i), out)


def _set(data: Any, path: Path, value: str) -> None:
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def resolve(
    data: dict[str, Any],
    smap: SourceMap,
    supplied: Mapping[str, str],
    environ: Mapping[str, str],
) -> dict[str, Any]:
    """Interpolate every string outside `variables:` in place; raise SpecError on any problem."""
    declared = _declared(data)
    problems: list[Diagnostic] = []
    values: dict[str, str] = {}
    for name, decl in declared.items():
        if name in supplied:
            values[name] = supplied[name]
        elif ENV_PREFIX + name in environ:
            values[name] = environ[ENV_PREFIX + name]
        elif isinstance(decl, dict) and decl.get("default") is not None:
            values[name] = str(decl["default"])

    for name in supplied:
        if name not in declared:
            near = closest(name, declared)
            problems.append(
                Diagnostic(
                    f"--var {name}: the spec declares no variable '{name}'",
                    smap.find(("variables",)) or Location(smap.file, 1, 1),
                    ("variables",),
                    f"did you mean {near[0]}?" if near else "declare it under 'variables:'",
                    code="variables",
                )
            )

    uses: list[tuple[Path, str]] = []
    _uses(data, (), uses)
    missing: dict[str, list[Path]] = {}
    for path, text in uses:
        loc = smap.value(path)

        def substitute(match: re.Match[str], path: Path = path, loc: Location | None = loc) -> str:
            token = match.group(0)
            if token == "$${":
                return "${"
            name = match.group(1)
            if name is None:
                problems.append(
                    Diagnostic(
                        "unterminated '${' in string",
                        loc,
                        path,
                        "close it with '}', or write '$${' for a literal '${'",
                        code="variables",
                    )
                )
                return token
            if not _NAME.match(name):
                problems.append(
                    Diagnostic(
                        f"'${{{name}}}' is not a variable reference",
                        loc,
                        path,
                        "names are letters, digits and '_'; write '$${' for a literal '${'",
                        code="variables",
                    )
                )
                return token
            if name not in declared:
                near = closest(name, declared)
                problems.append(
                    Diagnostic(
                        f"undeclared variable '{name}'",
                        loc,
                        path,
                        f"did you mean {near[0]}?" if near else "declare it under 'variables:'",
                        code="variables",
                    )
                )
                return token
            if name not in values:
                missing.setdefault(name, []).append(path)
                return token
            return values[name]

        _set(data, path, _TOKEN.sub(substitute, text))

    for name, paths in missing.items():
        places = [str(smap.value(p) or "?") for p in paths]
        problems.append(
            Diagnostic(
                f"variable '{name}' has no value; it is used at {', '.join(places)}",
                smap.value(paths[0]),
                paths[0],
                f"pass --var {name}=VALUE, set {ENV_PREFIX}{name}, or give it a default",
                code="variables",
            )
        )
    if problems:
        raise SpecError(problems)
    return data
