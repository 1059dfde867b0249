"""`from: {spec: PATH, env: NAME, output: NAME}` or `from: {state: LOCATION, output: NAME}`:
another spec's output as a value, wherever a string goes (terraform_remote_state, Pulumi's
StackReference).

This module reads the shape only. The value is read at plan time by a `Reader` the run gives
(the spec stage reads no state); `validate` gives none, so it never needs the other state:
each reference stands as a placeholder and what is said about that value is left out (it is
not known yet, as Terraform's "known after apply").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gkeplan.errors import Diagnostic, Location, Path, SpecError
from gkeplan.spec.yamlsource import SourceMap

KEYS = frozenset({"spec", "env", "state", "output"})


@dataclass(frozen=True)
class Reference:
    output: str
    spec: str | None = None  # relative to the referring spec's directory
    env: str | None = None
    state: str | None = None

    def __str__(self) -> str:
        where = f"spec {self.spec}" + (f" --env {self.env}" if self.env else "")
        return f"output {self.output} of {where if self.spec else 'state ' + str(self.state)}"


class ReadFailed(Exception):
    """The other state has no such output, or does not exist yet: the message says which."""


Reader = Callable[[Reference, str], str]  # (reference, the referring spec's file) -> value


def _find(data: Any, path: Path, out: list[tuple[Path, dict[str, Any]]]) -> None:
    if isinstance(data, dict):
        if len(data) == 1 and isinstance(data.get("from"), dict) and path:
            out.append((path, data["from"]))
            return
        for key, value in data.items():
            if not path and key in ("variables", "environments", "outputs"):
                continue
            _find(value, (*path, key), out)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _find(value, (*path, i), out)


def _shape(raw: dict[str, Any]) -> Reference | str:
    unknown = sorted(str(k) for k in raw if k not in KEYS)
    if unknown:
        return f"unknown key(s) {', '.join(unknown)}; a reference takes spec, env, state, output"
    if not all(isinstance(v, str) and v for v in raw.values()):
        return "each of spec, env, state and output is non-empty text"
    if "output" not in raw:
        return "missing 'output': the name `gkeplan output` shows in the other spec's state"
    if ("spec" in raw) == ("state" in raw):
        return "give one of 'spec' (its file) or 'state' (a path or gs://BUCKET/PREFIX)"
    if "env" in raw and "spec" not in raw:
        return "'env' goes with 'spec' (a state location is one environment's already)"
    return Reference(raw["output"], raw.get("spec"), raw.get("env"), raw.get("state"))


def placeholder(ref: Reference) -> str:
    """A name-shaped stand-in for a value validate does not read."""
    text = "".join(c if c.isalnum() else "-" for c in ref.output.lower()).strip("-")
    return f"from-{text or 'output'}"


def resolve(data: dict[str, Any], smap: SourceMap, reader: Reader | None) -> list[Path]:
    """Put each reference's value in place (a placeholder without `reader`); the paths of
    those left as placeholders are returned. Raise SpecError naming each bad one."""
    found: list[tuple[Path, dict[str, Any]]] = []
    if smap.may_reference:
        _find(data, (), found)
    problems: list[Diagnostic] = []
    deferred: list[Path] = []
    for path, raw in found:
        where = smap.find((*path, "from")) or Location(smap.file, 1, 1)
        ref = _shape(raw)
        if isinstance(ref, str):
            problems.append(Diagnostic(f"from: {ref}", where, path, code="from"))
            continue
        if reader is None:
            value = placeholder(ref)
            deferred.append(path)
        else:
            try:
                value = reader(ref, smap.file)
            except ReadFailed as exc:
                problems.append(
                    Diagnostic(
                        f"from: {exc}",
                        where,
                        path,
                        "apply that spec first, or name an output `gkeplan output` shows there",
                        code="from",
                    )
                )
                continue
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    if problems:
        raise SpecError(problems)
    return deferred
