"""The converted spec as YAML, with a comment above each resource naming the Terraform it came
from. Scalars are written by PyYAML (its quoting rules); the layout and comments are ours."""

from __future__ import annotations

import functools
from typing import Any

import yaml

Comments = dict[tuple[Any, ...], list[str]]
_FLOW_WIDTH = 96


def _plain(value: Any) -> Any:
    """Python's own types, as PyYAML writes them (a RawFloat is a float that kept its text)."""
    if isinstance(value, float) and type(value) is not float:
        return float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def scalar(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return _scalar(value)
    return _dump(value)


@functools.lru_cache(maxsize=65536)
def _scalar(value: str | int | float | bool | None) -> str:
    # a spec repeats the same names and roles: each is quoted by PyYAML once
    return _dump(value)


def _dump(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, allow_unicode=True)
    return text.rstrip("\n").removesuffix("\n...").rstrip("\n")


def flow_scalar(value: Any) -> str:
    """A scalar inside [...] or {...}: PyYAML quotes what flow context needs quoted (a
    `${VAR}` has braces), when it writes it as an item of a flow sequence."""
    return (
        _flow_item(_plain(value)) if not isinstance(value, (list, dict)) else scalar([value])[1:-1]
    )


@functools.lru_cache(maxsize=65536)
def _flow_item(value: str | int | float | bool | None) -> str:
    return _dump([value])[1:-1]


def _key(key: Any) -> str:
    # YAML 1.1 reads a plain `on` as true, but gkeplan's loader keeps keys as written (its
    # examples write `on: bucket:models`), as people do
    return "on" if key == "on" else scalar(key)


def _flow(items: list[Any]) -> str | None:
    if any(isinstance(i, (dict, list)) for i in items):
        if all(
            isinstance(i, dict) and all(not isinstance(v, (dict, list)) for v in i.values())
            for i in items
        ):
            inner = ", ".join(
                "{" + ", ".join(f"{flow_scalar(k)}: {flow_scalar(v)}" for k, v in i.items()) + "}"
                for i in items
            )
            return f"[{inner}]"
        return None
    return "[" + ", ".join(flow_scalar(i) for i in items) + "]"


def _comment(lines: list[str], comments: Comments, path: tuple[Any, ...], pad: str) -> None:
    for text in comments.get(path, ()):
        lines.append(f"{pad}# {text}")


def _mapping(
    data: dict[str, Any], path: tuple[Any, ...], depth: int, comments: Comments, lines: list[str]
) -> None:
    pad = "  " * depth
    for key, value in data.items():
        here = (*path, key)
        _comment(lines, comments, here, pad)
        _entry(f"{pad}{_key(key)}:", value, here, depth, comments, lines)


def _entry(
    head: str, value: Any, path: tuple[Any, ...], depth: int, comments: Comments, lines: list[str]
) -> None:
    if isinstance(value, dict):
        if not value:
            lines.append(f"{head} {{}}")
            return
        flat = all(not isinstance(v, (dict, list)) for v in value.values())
        inline = (
            "{" + ", ".join(f"{flow_scalar(k)}: {flow_scalar(v)}" for k, v in value.items()) + "}"
        )
        if flat and len(head) + len(inline) < _FLOW_WIDTH and not _has_comments(comments, path):
            lines.append(f"{head} {inline}")
            return
        lines.append(head)
        _mapping(value, path, depth + 1, comments, lines)
    elif isinstance(value, list):
        flow = _flow(value)
        if (
            flow is not None
            and len(head) + len(flow) < _FLOW_WIDTH
            and not _has_comments(comments, path)
        ):
            lines.append(f"{head} {flow}")
            return
        if not value:
            lines.append(f"{head} []")
            return
        lines.append(head)
        pad = "  " * (depth + 1)
        for i, item in enumerate(value):
            here = (*path, i)
            _comment(lines, comments, here, pad)
            if isinstance(item, dict) and item:
                sub: list[str] = []
                _mapping(item, here, depth + 2, comments, sub)
                first = sub[0].lstrip()
                lines.append(f"{pad}- {first}")
                lines.extend(sub[1:])
            else:
                _entry(f"{pad}-", item, here, depth + 1, comments, lines)
    else:
        lines.append(f"{head} {scalar(value)}")


def _has_comments(comments: Comments, path: tuple[Any, ...]) -> bool:
    n = len(path)
    return any(len(p) > n and p[:n] == path for p in comments)


def dump(doc: dict[str, Any], comments: Comments, header: list[str]) -> str:
    lines = [f"# {h}" if h else "#" for h in header]
    top = list(doc.items())
    for i, (key, value) in enumerate(top):
        if i and isinstance(value, (dict, list)) and key not in ("project", "region"):
            lines.append("")
        _comment(lines, comments, (key,), "")
        _entry(f"{scalar(key)}:", value, (key,), 0, comments, lines)
    return "\n".join(lines) + "\n"
