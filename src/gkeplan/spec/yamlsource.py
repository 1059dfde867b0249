"""Read YAML safely into plain data plus a map from each path to its file:line:col.

PyYAML's C composer (libyaml) builds a node tree that keeps every position; we construct plain
Python from it ourselves so that duplicate keys, unknown tags, alias bombs and YAML 1.1's boolean
keys (`on:`) are handled as the spec format wants rather than as PyYAML's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from gkeplan.errors import Diagnostic, Location, Path, SpecError

MAX_BYTES = 8 * 1024 * 1024
MAX_EXPANDED_NODES = 1_000_000

_Y = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_Y + t for t in ("str", "int", "float", "bool", "null", "timestamp")}

try:  # the wheel ships libyaml; the pure-Python loader is 4x slower but still correct
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of a spec came from."""

    file: str
    values: dict[Path, Location] = field(default_factory=dict)
    keys: dict[Path, Location] = field(default_factory=dict)

    def find(self, path: Path) -> Location | None:
        """The location of `path`, or of its nearest ancestor that has one."""
        p = tuple(path)
        while True:
            loc = self.keys.get(p) or self.values.get(p)
            if loc is not None or not p:
                return loc
            p = p[:-1]

    def value(self, path: Path) -> Location | None:
        return self.values.get(tuple(path)) or self.find(path)


def _loc(file: str, mark: Any) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.smap = SourceMap(file)
        self.problems: list[Diagnostic] = []
        self._scalars = yaml.constructor.SafeConstructor()

    def error(self, node: yaml.Node, path: Path, message: str, hint: str | None = None) -> None:
        loc = _loc(self.file, node.start_mark)
        self.problems.append(Diagnostic(message, loc, path, hint, code="yaml"))

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.smap.values[path] = _loc(self.file, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _Y + "seq":
                self._bad_tag(node, path)
                return None
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _bad_tag(self, node: yaml.Node, path: Path) -> None:
        tag = node.tag
        if tag.startswith(_Y):
            tag = "!!" + tag[len(_Y) :]
        self.error(
            node,
            path,
            f"unsupported YAML tag '{tag}'",
            "gkeplan specs use plain YAML: strings, numbers, booleans, lists and mappings",
        )

    def _scalar(self, node: yaml.Node, path: Path) -> Any:
        if node.tag not in _SCALAR_TAGS:
            self._bad_tag(node, path)
            return None
        if node.tag == _Y + "timestamp":
            return str(node.value)  # dates stay text: no field of the format is a timestamp
        return self._scalars.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any] | None:
        if node.tag != _Y + "map":
            self._bad_tag(node, path)
            return None
        out: dict[str, Any] = {}
        explicit: dict[str, yaml.Node] = {}
        merged: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _Y + "merge":
                merged.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                self.error(key_node, path, "mapping keys must be plain strings")
                continue
            key = str(key_node.value)
            if key in explicit:
                first = _loc(self.file, explicit[key].start_mark)
                self.error(
                    key_node,
                    (*path, key),
                    f"duplicate key '{key}' (first defined at line {first.line})",
                    "YAML keeps only the last value of a repeated key; remove one of them",
                )
                continue
            explicit[key] = key_node
            child = (*path, key)
            self.smap.keys[child] = _loc(self.file, key_node.start_mark)
            out[key] = self.build(value_node, child)
        for source in merged:
            self._merge(out, source, path)
        return out

    def _merge(self, out: dict[str, Any], source: yaml.Node, path: Path) -> None:
        sources = source.value if isinstance(source, yaml.SequenceNode) else [source]
        for src in sources:
            if not isinstance(src, yaml.MappingNode):
                self.error(src, path, "a merge key ('<<') needs a mapping or a list of mappings")
                continue
            built = self._mapping(src, path) or {}
            for key, value in built.items():
                out.setdefault(key, value)


def _expanded_size(root: yaml.Node, file: str) -> Diagnostic | None:
    """Count nodes as if every alias were copied out, without copying (memoised per node)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        nid = id(node)
        if nid in sizes:
            return sizes[nid]
        if nid in active:
            raise RecursionError
        active.add(nid)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
        active.discard(nid)
        sizes[nid] = total
        return total

    try:
        total = size(root)
    except RecursionError:
        return Diagnostic("recursive YAML alias", _loc(file, root.start_mark), code="yaml")
    if total > MAX_EXPANDED_NODES:
        return Diagnostic(
            f"YAML aliases expand to {total:,} nodes (limit {MAX_EXPANDED_NODES:,})",
            _loc(file, root.start_mark),
            hint="this looks like an alias bomb; write the values out instead of nesting aliases",
            code="yaml",
        )
    return None


def load_yaml(text: str, file: str) -> tuple[dict[str, Any], SourceMap]:
    """Parse one YAML document that must be a mapping; raise SpecError listing every problem."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_BYTES:
        raise SpecError(
            [
                Diagnostic(
                    f"the spec is {size:,} bytes; the limit is {MAX_BYTES:,}",
                    Location(file, 1, 1),
                    code="yaml",
                )
            ]
        )
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = _loc(file, mark) if mark is not None else Location(file, 1, 1)
        last = text.count("\n") + 1  # libyaml may point past the end of the input
        if loc.line > last:
            loc = Location(file, last, 1)
        what = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark is not None and exc.problem:
            ctx = exc.context.removeprefix("while parsing ")
            what += f" ({ctx} starting at line {exc.context_mark.line + 1}, column "
            what += f"{exc.context_mark.column + 1})"
        raise SpecError([Diagnostic(f"invalid YAML: {what}", loc, code="yaml")]) from None
    except yaml.YAMLError as exc:  # reader errors: bad bytes, control characters
        raise SpecError(
            [Diagnostic(f"invalid YAML: {exc}", Location(file, 1, 1), code="yaml")]
        ) from None
    if not nodes:
        raise SpecError([Diagnostic("the spec is empty", Location(file, 1, 1), code="yaml")])
    if len(nodes) > 1:
        raise SpecError(
            [
                Diagnostic(
                    "a spec is one YAML document; found a second one",
                    _loc(file, nodes[1].start_mark),
                    hint="remove the '---' separator and everything after it",
                    code="yaml",
                )
            ]
        )
    root = nodes[0]
    bomb = _expanded_size(root, file)
    if bomb is not None:
        raise SpecError([bomb])
    builder = _Builder(file)
    data = builder.build(root, ())
    if builder.problems:
        raise SpecError(builder.problems)
    if not isinstance(data, dict):
        raise SpecError(
            [
                Diagnostic(
                    "the spec must be a YAML mapping (keys such as version, project, region)",
                    _loc(file, root.start_mark),
                    code="yaml",
                )
            ]
        )
    return data, builder.smap
