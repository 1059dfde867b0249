"""`environments:` and --env NAME: which environment a run is for, and what it replaces.

Applied to the YAML data before variables are resolved, so the environment's project and
state stand in for the spec's own and its variable values sit between --var-file and the
GKEPLAN_VAR_* / default values (Terraform's order: -var and -var-file over tfvars files over
TF_VAR_ environment variables). The block's shape is checked by the `Environment` model, at
its file:line:col like any other section.

Without --env, a spec that declares environments needs one marked `default: true` (as
Terraform's `default` workspace); a spec without any is used as it is.
"""

from __future__ import annotations

from typing import Any

from gkeplan.errors import Diagnostic, Location, SpecError
from gkeplan.spec.suggest import Suggester
from gkeplan.spec.yamlsource import SourceMap

SECTION = "environments"


def _error(smap: SourceMap, message: str, hint: str, path: tuple[Any, ...] = (SECTION,)) -> None:
    where = smap.find(path) or Location(smap.file, 1, 1)
    raise SpecError([Diagnostic(message, where, path, hint, code="environments")])


def _alias(smap: SourceMap, source: tuple[Any, ...], dest: tuple[Any, ...]) -> None:
    """Errors in the replaced value point at the environment's lines, where it was written."""
    for table in (smap.values, smap.keys):
        for path in [p for p in table if p[: len(dest)] == dest]:
            del table[path]
        for path, at in list(table.items()):
            if path[: len(source)] == source:
                table[(*dest, *path[len(source) :])] = at


def select(
    data: dict[str, Any], smap: SourceMap, name: str | None
) -> tuple[str | None, dict[str, str]]:
    """(the environment's name, its variable values); the data is changed in place."""
    envs = data.get(SECTION)
    if not isinstance(envs, dict) or not envs:
        if name is not None:
            _error(
                smap,
                f"--env {name}: the spec declares no environments",
                f"declare it under '{SECTION}:' ({name}: {{variables: ..., state: ...}}), "
                "or leave out --env",
            )
        return None, {}
    if name is None:
        defaults = [n for n, e in envs.items() if isinstance(e, dict) and e.get("default") is True]
        if len(defaults) > 1:
            _error(
                smap,
                f"environments {', '.join(map(str, defaults))} are all marked default",
                "mark at most one environment `default: true`",
                (SECTION, defaults[1], "default"),
            )
        if not defaults:
            _error(
                smap,
                f"the spec declares environments {', '.join(map(str, envs))}: give --env NAME",
                "or mark one of them `default: true`",
            )
        name = str(defaults[0])
    if name not in envs:
        near = Suggester([str(k) for k in envs]).closest(name)
        _error(
            smap,
            f"--env {name}: no such environment; the spec declares {', '.join(map(str, envs))}",
            f"did you mean --env {near[0]}?" if near else f"declare it under '{SECTION}:'",
        )
    env = envs[name]
    if not isinstance(env, dict):
        return name, {}  # the Environment model reports its shape
    for key in ("project", "state"):
        if key in env:
            data[key] = env[key]
            _alias(smap, (SECTION, name, key), (key,))
    values = env.get("variables")
    if not isinstance(values, dict):
        return name, {}
    declared = data.get("variables") if isinstance(data.get("variables"), dict) else {}
    problems = []
    out: dict[str, str] = {}
    for key, value in values.items():
        if key not in (declared or {}):
            path = (SECTION, name, "variables", key)
            problems.append(
                Diagnostic(
                    f"environment {name} sets '{key}', which the spec does not declare",
                    smap.find(path),
                    path,
                    "declare it under 'variables:' or remove it",
                    code="environments",
                )
            )
        elif isinstance(value, bool):
            out[str(key)] = str(value).lower()
        elif isinstance(value, str | int | float):
            out[str(key)] = str(value)
    if problems:
        raise SpecError(problems)
    return name, out
