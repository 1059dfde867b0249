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
from gkeplan.spec.limits import (
    INT64_MAX,
    INT64_MIN,
    MAX_BYTES,
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    MAX_INT_CHARS,
)
from gkeplan.spec.strings import has_unsafe_text, text_problem

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_EXPANDED_NODES", "SourceMap", "load_yaml"]

_Y = "tag:yaml.org,2002:"
_STR, _INT, _SEQ, _MAP, _MERGE, _TIMESTAMP = (
    _Y + t for t in ("str", "int", "seq", "map", "merge", "timestamp")
)
_SCALAR_TAGS = {_Y + t for t in ("str", "int", "float", "bool", "null", "timestamp")}

try:  # the wheel ships libyaml; the pure-Python loader is 4x slower but still correct
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

# The first characters of the plain scalars that may be something other than a string.
_MAYBE_NOT_STR = frozenset(k for k in yaml.SafeLoader.yaml_implicit_resolvers if k)


class _Loader(_Base):  # type: ignore[misc]
    """SafeLoader with a fast path in the resolver (called once per node): a quoted scalar, or a
    plain one whose first character starts no implicit type, is a string without regexes."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode:
            if implicit[0] and (not value or value[0] in _MAYBE_NOT_STR):
                return super().resolve(kind, value, implicit)
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of a spec came from."""

    file: str
    # 0-based (line, column) of each value and key; Location objects are made only when asked
    # for (a spec has hundreds of thousands of nodes and few diagnostics)
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    # the variables whose values were substituted into the string at each path
    origins: dict[Path, tuple[str, ...]] = field(default_factory=dict)
    _under: dict[Path, list[str]] = field(default_factory=dict, repr=False)
    # False when the text has no '${' (nor a '\' escape that could make one): nothing to resolve
    may_interpolate: bool = True
    # False when the text has no 'from' (nor a '\' escape that could spell one): no `from:`
    # reference to look for (the walk for them was 10 ms of a 10,000-resource spec)
    may_reference: bool = True

    def origin_note(self, path: Path) -> str:
        """' (from ${A}, ${B})' when the value at `path`, or under it, came from variables."""
        if len(self._under) != len(self.origins):  # index every ancestor once: O(1) per call
            self._under.clear()
            for where, used in self.origins.items():
                for i in range(len(where) + 1):
                    names = self._under.setdefault(where[:i], [])
                    names.extend(n for n in used if n not in names)
        names = self._under.get(tuple(path), [])
        return f" (from {', '.join('${' + n + '}' for n in names)})" if names else ""

    def find(self, path: Path) -> Location | None:
        """The location of `path`, or of its nearest ancestor that has one."""
        p = tuple(path)
        while True:
            at = self.keys.get(p) or self.values.get(p)
            if at is not None:
                return Location(self.file, at[0] + 1, at[1] + 1)
            if not p:
                return None
            p = p[:-1]

    def value(self, path: Path) -> Location | None:
        at = self.values.get(tuple(path))
        return Location(self.file, at[0] + 1, at[1] + 1) if at else self.find(path)


def _within(text: str, loc: Location) -> Location:
    """libyaml may place the end of the input (an empty document, an unclosed flow) on a line
    past the last one; point at the last line instead."""
    last = text.count("\n") + 1
    return loc if loc.line <= last else Location(loc.file, last, 1)


def _loc(file: str, mark: Any) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


class _Builder:
    def __init__(self, file: str, check_text: bool = True) -> None:
        self.file = file
        # refuse control characters, bidirectional overrides and lone surrogates in every
        # string; off when the text has neither such a character nor a '\' escape to make one
        self.check_text = check_text
        self.smap = SourceMap(file)
        self.problems: list[Diagnostic] = []
        self._scalars = yaml.constructor.SafeConstructor()
        self._too_deep = False

    def error(self, node: yaml.Node, path: Path, message: str, hint: str | None = None) -> None:
        loc = _loc(self.file, node.start_mark)
        self.problems.append(Diagnostic(message, loc, path, hint, code="yaml"))

    def build(self, node: yaml.Node, path: Path, depth: int = 1) -> Any:
        """Plain data for `node`, a collection `depth` levels deep (aliases expanded)."""
        mark = node.start_mark
        self.smap.values[path] = (mark.line, mark.column)
        if isinstance(node, yaml.ScalarNode):
            if node.tag == _STR and not self.check_text:
                return node.value  # the common case, inline
            return self._scalar(node, path)
        if depth > MAX_DEPTH:  # stop here: nothing below is built, so nothing recurses further
            if not self._too_deep:
                self._too_deep = True
                self.error(
                    node,
                    path[:4],  # the line and column say where; 100 levels of path say little
                    f"mappings and lists nest deeper than {MAX_DEPTH} levels here",
                    f"a spec nests fewer than 10 levels; {MAX_DEPTH} is the limit",
                )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if node.tag != _SEQ:
            self._bad_tag(node, path)
            return None
        return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]

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
        if node.tag == _TIMESTAMP:
            return str(node.value)  # dates stay text: no field of the format is a timestamp
        if node.tag == _INT:
            return self._int(node, path)
        if node.tag == _STR:
            if self.check_text:
                self._text(node, path, node.value)
            return node.value  # what SafeConstructor.construct_yaml_str returns, 10x faster
        return self._scalars.construct_object(node, deep=True)

    def _text(self, node: yaml.Node, path: Path, value: str) -> None:
        problem = text_problem(value)
        if problem:
            loc = _loc(self.file, node.start_mark)
            self.problems.append(Diagnostic(problem, loc, path, code="text"))

    def _int(self, node: yaml.Node, path: Path) -> int | None:
        """An int64, or a diagnostic; long digit strings never reach int() (4,300-digit limit)."""
        text = str(node.value)
        value = None
        if len(text) <= MAX_INT_CHARS:
            value = self._scalars.construct_object(node, deep=True)
        if value is None or not INT64_MIN <= value <= INT64_MAX:
            digits = sum(c.isdigit() for c in text)
            self.error(
                node,
                path,
                f"the integer ({digits:,} digits) is out of range: numbers in a spec are 64-bit, "
                f"at most {INT64_MAX:,}",
                "quote it if it is text",
            )
            return None
        return int(value)

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any] | None:
        if node.tag != _MAP:
            self._bad_tag(node, path)
            return None
        out: dict[str, Any] = {}
        explicit: dict[str, yaml.Node] = {}
        merged: list[yaml.Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SCALAR_TAGS:
                self.error(key_node, path, "mapping keys must be plain strings")
                continue
            key = str(key_node.value)
            if self.check_text:
                self._text(key_node, (*path, key), key)
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
            mark = key_node.start_mark
            self.smap.keys[child] = (mark.line, mark.column)
            out[key] = self.build(value_node, child, depth + 1)
        for source in merged:
            self._merge(out, source, path, depth)
        return out

    def _merge(self, out: dict[str, Any], source: yaml.Node, path: Path, depth: int) -> None:
        sources = source.value if isinstance(source, yaml.SequenceNode) else [source]
        for src in sources:
            if not isinstance(src, yaml.MappingNode):
                self.error(src, path, "a merge key ('<<') needs a mapping or a list of mappings")
                continue
            built = self._mapping(src, path, depth) or {}
            for key, value in built.items():
                out.setdefault(key, value)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _expanded_size(root: yaml.Node, file: str) -> Diagnostic | None:
    """Count nodes as if every alias were copied out, without copying (memoised per node).

    An explicit stack, not recursion: libyaml lets collections nest 1,000 deep (2,000 mixing
    block and flow style), beyond Python's recursion limit.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()  # the nodes on the path from the root: an alias to one is a loop
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        nid = id(node)
        if finished:
            sizes[nid] = 1 + sum(sizes[id(c)] for c in _children(node))
            active.discard(nid)
            continue
        if nid in sizes:
            continue
        active.add(nid)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in active:
                return Diagnostic("recursive YAML alias", _loc(file, child.start_mark), code="yaml")
            if id(child) not in sizes:
                stack.append((child, False))
    total = sizes[id(root)]
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
        loc = _within(text, _loc(file, mark) if mark is not None else Location(file, 1, 1))
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
    except RecursionError:  # only PyYAML's pure-Python composer recurses; libyaml stops at 1,000
        raise SpecError(
            [Diagnostic(f"YAML nests deeper than {MAX_DEPTH} levels", Location(file, 1, 1))]
        ) from None
    if not nodes:
        raise SpecError([Diagnostic("the spec is empty", Location(file, 1, 1), code="yaml")])
    if len(nodes) > 1:
        raise SpecError(
            [
                Diagnostic(
                    "a spec is one YAML document; found a second one",
                    _within(text, _loc(file, nodes[1].start_mark)),
                    hint="remove the '---' separator and everything after it",
                    code="yaml",
                )
            ]
        )
    root = nodes[0]
    bomb = _expanded_size(root, file) if "&" in text else None  # no anchor, no alias
    if bomb is not None:
        raise SpecError([bomb])
    builder = _Builder(file, check_text="\\" in text or has_unsafe_text(text))
    data = builder.build(root, ())
    if builder.problems:
        raise SpecError(builder.problems)
    builder.smap.may_interpolate = "${" in text or "\\" in text
    builder.smap.may_reference = "from" in text or "\\" in text
    if not isinstance(data, dict):
        raise SpecError(
            [
                Diagnostic(
                    "the spec must be a YAML mapping (keys such as version, project, region)",
                    _within(text, _loc(file, root.start_mark)),
                    code="yaml",
                )
            ]
        )
    return data, builder.smap
