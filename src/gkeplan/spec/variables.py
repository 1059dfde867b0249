"""`${NAME}` interpolation: values from --var, --var-file, GKEPLAN_VAR_NAME, then the default."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from gkeplan import redact
from gkeplan.errors import Diagnostic, Location, Path, Severity, SpecError
from gkeplan.spec.files import FileRefused, read_text
from gkeplan.spec.strings import show, text_problem
from gkeplan.spec.suggest import Suggester
from gkeplan.spec.yamlsource import SourceMap, load_yaml

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
            if not path and key in ("variables", "environments"):
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
    unknown_out: list[Diagnostic] | None = None,
    environment: tuple[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """Interpolate every string outside `variables:` in place; raise SpecError on any problem.

    With `unknown_out`, a supplied value the spec does not declare is reported there instead:
    it does not stop the spec from being understood, so it must not hide the spec's own
    problems."""
    declared = _declared(data)
    suggester = Suggester(declared)
    problems: list[Diagnostic] = []
    unknown = problems if unknown_out is None else unknown_out
    values: dict[str, str] = {}
    for name, decl in declared.items():
        env_name, env_values = environment or ("", {})
        if name in supplied:
            values[name], source = supplied[name], f"--var {name}"
        elif name in env_values:
            values[name], source = env_values[name], f"environment {env_name}"
        elif ENV_PREFIX + name in environ:
            values[name], source = environ[ENV_PREFIX + name], ENV_PREFIX + name
        elif isinstance(decl, dict) and decl.get("default") is not None:
            values[name], source = str(decl["default"]), f"the default of {name}"
        else:
            continue
        problem = text_problem(values[name])
        if problem:
            where: Path = ("variables", name)
            problems.append(
                Diagnostic(
                    f"variable {name}: the value from {source} is refused: {problem}",
                    smap.find(where),
                    where,
                    "values may not hold control characters, bidirectional overrides or "
                    "bytes that are not UTF-8",
                    code="variables",
                )
            )
            del values[name]
    # Registered before anything is interpolated, so no message below can show them.
    redact.register(
        value
        for name, value in values.items()
        if isinstance(declared[name], dict) and declared[name].get("sensitive") is True
    )
    if problems:
        raise SpecError(problems)

    in_files = supplied.from_file if isinstance(supplied, Supplied) else {}
    for name in supplied:
        if name in declared:
            continue
        near = suggester.closest(name)
        if name in in_files:
            # A var-file is often shared by several specs: Terraform warns, not errs, for a
            # value a file gives an undeclared variable ("We allow undeclared names for
            # variable values from files and warn": backend/unparsed_value.go,
            # hashicorp/terraform#27795); a -var for one stays an error.
            if unknown_out is not None:
                unknown_out.append(
                    Diagnostic(
                        f"{name}: the spec declares no variable '{name}'; this value from "
                        "the variable file is not used",
                        in_files[name],
                        ("variables",),
                        f"did you mean {near[0]}?"
                        if near
                        else f"declare it under 'variables:' in {smap.file} to use it",
                        severity=Severity.WARNING,
                        code="variables",
                    )
                )
            continue
        unknown.append(
            Diagnostic(
                f"--var {name}: the spec declares no variable '{name}'",
                smap.find(("variables",)) or Location(smap.file, 1, 1),
                ("variables",),
                f"did you mean {near[0]}?" if near else "declare it under 'variables:'",
                code="variables",
            )
        )

    uses: list[tuple[Path, str]] = []
    if smap.may_interpolate:
        _uses(data, (), uses)
    missing: dict[str, list[Path]] = {}
    for path, text in uses:
        loc = smap.value(path)
        used: list[str] = []

        def substitute(
            match: re.Match[str],
            path: Path = path,
            loc: Location | None = loc,
            used: list[str] = used,
        ) -> str:
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
                near = suggester.closest(name)
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
            used.append(name)
            return values[name]

        _set(data, path, _TOKEN.sub(substitute, text))
        if used:
            smap.origins[path] = tuple(dict.fromkeys(used))

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
        raise SpecError([*problems, *(unknown if unknown is not problems else [])])
    return data


class Supplied(dict[str, str]):
    """Values from --var-file and --var; `from_file` holds where a var-file's key is (file,
    line, col) for each value a --var did not replace."""

    def __init__(self) -> None:
        super().__init__()
        self.from_file: dict[str, Location] = {}


class VariableInputError(Exception):
    """A --var or --var-file value that is refused; `flag` names the option it came from."""

    def __init__(self, message: str, flag: str) -> None:
        super().__init__(message)
        self.flag = flag


def _check_value(name: str, value: str, flag: str, where: str) -> None:
    if not _NAME.match(name):
        raise VariableInputError(
            f"{where}{show(name)} is not a variable name (letters, digits and '_')", flag
        )
    problem = text_problem(value)
    if problem:
        raise VariableInputError(f"{where}{name}: {problem}", flag)


_VAR_FILE_SHAPE = "a variable file is a YAML mapping of NAME: value lines (PROJECT_ID: my-project)"


def _var_file_problem(exc: SpecError) -> str:
    """load_yaml speaks of a spec; a --var-file's reader needs to hear about its var file."""
    first = exc.diagnostics[0]
    if first.message.startswith(("the spec must be a YAML mapping", "the spec is empty")):
        message = _VAR_FILE_SHAPE
    else:
        message = first.message.replace("the spec", "the variable file").replace(
            "a spec is", "a variable file is"
        )
    return f"{first.location}: {message}"


def from_options(pairs: Sequence[str], files: Sequence[str]) -> Supplied:
    """Variable values from --var-file FILE (in order) then --var NAME=VALUE pairs.

    Each file is a regular file of UTF-8 YAML (`files.read_text`, `load_yaml`: 8 MiB, 100 levels,
    64-bit numbers) mapping names to plain values; every name and value is checked here, so a
    value with a control character, a bidirectional override or bytes that are not UTF-8 (which
    arrive from the command line as lone surrogates) is refused naming the variable.
    """
    values = Supplied()
    for file in files:
        try:
            data, smap = load_yaml(read_text(file, "variable file"), file)
        except FileRefused as exc:
            raise VariableInputError(str(exc), "--var-file") from None
        except SpecError as exc:
            raise VariableInputError(_var_file_problem(exc), "--var-file") from None
        for key, value in data.items():
            _check_value(key, "", "--var-file", f"{file}: ")
            if isinstance(value, dict | list) or value is None:
                raise VariableInputError(
                    f"{smap.value((key,))}: {key} must be a plain value (text, number or "
                    f"true/false); {_VAR_FILE_SHAPE}",
                    "--var-file",
                )
            text = str(value).lower() if isinstance(value, bool) else str(value)
            _check_value(key, text, "--var-file", f"{file}: ")
            values[key] = text
            values.from_file[key] = smap.find((key,)) or Location(file, 1, 1)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise VariableInputError(f"{show(pair)} is not NAME=VALUE", "--var")
        _check_value(key, value, "--var", "")
        values[key] = value
        values.from_file.pop(key, None)
    return values


def unset(
    file: str, supplied: Mapping[str, str], environ: Mapping[str, str] | None = None
) -> list[str]:
    """Declared variables of the spec in `file` that would have no value; [] if it cannot be
    read (validation then reports why)."""
    import os

    env = os.environ if environ is None else environ
    try:
        data, _ = load_yaml(read_text(file, "spec"), file)
    except (FileRefused, SpecError):
        return []
    return [
        name
        for name, decl in _declared(data).items()
        if name not in supplied
        and ENV_PREFIX + name not in env
        and not (isinstance(decl, dict) and decl.get("default") is not None)
    ]
