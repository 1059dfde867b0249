"""`gkeplan fmt`: a spec file in its canonical form, its comments kept.

The key order is the models': each mapping's keys in the order its model declares its fields
(the spec's `Spec`, composed from the kinds' sections, down to every nested model), with the
fields every resource shares (`spec.base.Resource`: dependsOn, adopt, lifecycle) after the
kind's own, and keys no model names (a user's names, a typo validate reports) after those, as
they were. Indentation is two spaces, a sequence's dash two in from its key. Everything else
(quotes, flow style `{a: 1}`, blank lines, comments) is the file's own.

ruamel.yaml reads and writes the file; its comments hang off whatever came before them (a
comment line above a key is stored after the previous value, sometimes deep inside it), so a
reordering would carry each comment to the wrong key. The comments are therefore taken off by
line first (a comment line belongs to the key or item that starts below it, an end-of-line
comment to the last block-level key on its line), the keys reordered, then each comment put
back on its own key.
"""

from __future__ import annotations

import io
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Union

import yaml
from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedBase, CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.tokens import CommentToken

from gkeplan.errors import Diagnostic, Location, Severity, SpecError
from gkeplan.kinds import Spec
from gkeplan.spec.base import Resource
from gkeplan.spec.yamlsource import load_yaml

MAPPING_INDENT = 2
SEQUENCE_DASH = 2  # the dash's offset from its key; the item's content is two further in


@dataclass(frozen=True)
class Shape:
    """What the models say of one YAML node: its keys' order, and each key's shape below."""

    order: tuple[str, ...] = ()
    fields: dict[str, Shape] = field(default_factory=dict)
    values: Shape | None = None  # a dict's values or a list's items

    def below(self, key: object) -> Shape:
        if isinstance(key, str) and key in self.fields:
            return self.fields[key]
        return self.values or ANY


ANY = Shape()
_SHARED = tuple(Resource.model_fields)


def _shape(annotation: Any, seen: dict[type[BaseModel], Shape]) -> Shape:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _shape(args[0], seen)
    if origin in (Union, types.UnionType):
        shapes = [_shape(a, seen) for a in args if a is not type(None)]
        known = [s for s in shapes if s is not ANY]
        return known[0] if len(known) == 1 else ANY
    if origin in (dict, typing.get_origin(dict[str, int])) and len(args) == 2:
        return Shape(values=_shape(args[1], seen))
    if origin in (list, tuple, set, frozenset) and args:
        return Shape(values=_shape(args[0], seen))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_shape(annotation, seen)
    return ANY


def _model_shape(model: type[BaseModel], seen: dict[type[BaseModel], Shape]) -> Shape:
    if model in seen:
        return seen[model]
    own = [n for n in model.model_fields if n not in _SHARED]
    shared = [n for n in model.model_fields if n in _SHARED]
    fields: dict[str, Shape] = {}
    shape = Shape(tuple(_alias(model, n) for n in [*own, *shared]), fields)
    seen[model] = shape  # a model that contains itself (none yet) ends here
    for name, info in model.model_fields.items():
        fields[_alias(model, name)] = _shape(info.annotation, seen)
    return shape


def _alias(model: type[BaseModel], name: str) -> str:
    return model.model_fields[name].alias or name


SPEC_SHAPE = _model_shape(Spec, {})


class LeftAsIs(SpecError):
    """A file fmt cannot reorder without changing what it means; it is left as it is."""


def _merge_key(node: object) -> tuple[int, int] | None:
    """Where the first YAML merge key (`<<: *anchor`) is: the keys it brings in belong to
    another mapping, so reordering them would move the anchor's values."""
    if isinstance(node, CommentedMap):
        if getattr(node, "merge", None):
            line, col = node.lc.line, node.lc.col
            return (line, col)
        for child in node.values():
            found = _merge_key(child)
            if found:
                return found
    elif isinstance(node, CommentedSeq):
        for child in node:
            found = _merge_key(child)
            if found:
                return found
    return None


@dataclass
class _Slot:
    """A key of a mapping or an item of a sequence, where it starts in the file."""

    parent: CommentedBase
    key: object
    line: int
    column: int  # its column once formatted
    flow: bool  # inside a flow collection ({...} or [...])
    before: list[str] = field(default_factory=list)
    eol: str | None = None


def _slots(node: object, column: int, flow: bool) -> Iterator[_Slot]:
    """Every key and item below `node`, in the file's order."""
    if isinstance(node, CommentedMap):
        inner = flow or node.fa.flow_style()
        for key in node:
            line, _ = node.lc.key(key)
            yield _Slot(node, key, line, column, inner)
            yield from _slots(node[key], column + MAPPING_INDENT, inner)
    elif isinstance(node, CommentedSeq):
        inner = flow or node.fa.flow_style()
        dash = column - MAPPING_INDENT + SEQUENCE_DASH  # `column` is the key's plus two
        for index, item in enumerate(node):
            line, _ = node.lc.item(index)
            yield _Slot(node, index, line, dash, inner)
            yield from _slots(item, dash + 2, inner)


def _tokens(node: object) -> Iterator[CommentToken]:
    """Every comment token ruamel hung anywhere in the tree (some more than once)."""
    if not isinstance(node, CommentedBase):
        return
    ca = node.ca
    stack: list[Any] = [ca.comment, ca.end, *ca.items.values()]
    while stack:
        item = stack.pop()
        if isinstance(item, CommentToken):
            yield item
        elif isinstance(item, list):
            stack.extend(item)
    for child in _children(node):
        yield from _tokens(child)


def _scalar_lines(text: str) -> set[int]:
    """The lines inside multi-line scalars (a `|` block's blank or `#` lines are its text)."""
    lines = text.splitlines()
    inside: set[int] = set()
    for node in _walk(yaml.compose(text, Loader=yaml.SafeLoader)):
        if isinstance(node, yaml.ScalarNode) and node.end_mark.line > node.start_mark.line:
            end = node.end_mark.line - (1 if node.end_mark.column == 0 else 0)
            # a block scalar's end is past the blank lines after it, which are its own only
            # when it keeps them (`|+`)
            while not node.value.endswith("\n\n") and end > node.start_mark.line:
                if lines[end].strip():
                    break
                end -= 1
            inside.update(range(node.start_mark.line + 1, end + 1))
    return inside


def _walk(node: yaml.Node | None) -> Iterator[yaml.Node]:
    if node is None:
        return
    yield node
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield from _walk(key)
            yield from _walk(value)


def _comment_lines(text: str, root: object) -> tuple[dict[int, str], dict[int, str]]:
    """The file's comments by line: whole-line comments and blank lines (a blank is ''), read
    from the lines outside any scalar, and end-of-line comments, from ruamel's tokens."""
    inside = _scalar_lines(text)
    whole = {
        n: line.strip()
        for n, line in enumerate(text.splitlines())
        if n not in inside and (not line.strip() or line.lstrip().startswith("#"))
    }
    eol: dict[int, str] = {}
    for token in _tokens(root):
        first = token.value.partition("\n")[0].strip()
        line = token.start_mark.line
        if first.startswith("#") and line not in whole:
            eol[line] = first
    return whole, eol


def _attach(text: str, root: CommentedMap, slots: list[_Slot]) -> tuple[list[str], list[str]]:
    """Each comment onto its slot; what precedes the first slot (the file's header: a schema
    line, what the file is) and what follows the last are returned."""
    whole, eol = _comment_lines(text, root)
    starts: dict[int, list[_Slot]] = {}
    for slot in slots:
        starts.setdefault(slot.line, []).append(slot)
    # an end-of-line comment is the last block-level key's on its line (a flow collection is
    # one value: its comment goes after it)
    for line, comment in eol.items():
        candidates = [s for s in starts.get(line, []) if not s.flow] or starts.get(line, [])
        if candidates:
            candidates[-1].eol = comment
    firsts = sorted(starts)
    header: list[str] = []
    ending: list[str] = []
    for line in sorted(whole):
        nxt = next((n for n in firsts if n > line), None)
        if nxt is None:
            ending.append(whole[line])
        elif nxt == firsts[0]:
            header.append(whole[line])
        else:
            starts[nxt][0].before.append(whole[line])
    for slot in slots:  # blank lines at a block's start are no one's
        while slot.before and not slot.before[0] and slot.parent is not root:
            slot.before.pop(0)
    while len(header) > 1 and not header[-1] and not header[-2]:
        header.pop()  # one blank line at most between the header and the spec
    while ending and not ending[-1]:
        ending.pop()
    return header, ending


def _clear(node: object) -> None:
    if isinstance(node, CommentedBase):
        node.ca.comment = None
        node.ca.end = []
        node.ca.items.clear()
        for child in _children(node):
            _clear(child)


def _children(node: object) -> list[object]:
    if isinstance(node, CommentedMap):
        return list(node.values())
    return list(node) if isinstance(node, CommentedSeq) else []


def _reorder(node: object, shape: Shape) -> None:
    if isinstance(node, CommentedMap):
        rank = {k: i for i, k in enumerate(shape.order)}
        keys = sorted(node, key=lambda k: (rank.get(k, len(rank)), 0))  # stable: others keep order
        values = [(k, node[k]) for k in keys]
        for k, _ in values:
            del node[k]
        for k, v in values:
            node[k] = v
        for k in keys:
            _reorder(node[k], shape.below(k))
    elif isinstance(node, CommentedSeq):
        for item in node:
            _reorder(item, shape.below(None))


def _token(text: str, column: int) -> CommentToken:
    return CommentToken(text + "\n", CommentMark(column))


def _put_back(slots: list[_Slot], root: CommentedMap, header: list[str], ending: list[str]) -> None:
    for slot in slots:
        entry = slot.parent.ca.items.setdefault(slot.key, [None, None, None, None])
        if slot.before:
            entry[1] = [_token(t, slot.column) for t in slot.before]
        if slot.eol:
            value = slot.parent[slot.key]  # type: ignore[index]
            nested = isinstance(value, (CommentedMap, CommentedSeq)) and not value.fa.flow_style()
            if nested and value:
                # after `key:` of a block collection: ruamel writes it as the child's
                value.ca.comment = [_token(" " + slot.eol, 0), None]
            entry[0 if isinstance(slot.parent, CommentedSeq) else 2] = _token(" " + slot.eol, 0)
    if header:
        root.ca.comment = [None, [_token(t, 0) for t in header]]
    if ending:
        root.ca.end = [_token(t, 0) for t in ending]
        # ruamel writes a blank line after a last comment that ends in a newline, and no
        # newline after one that does not: the file's end is set below
        root.ca.end[-1].value = root.ca.end[-1].value.rstrip("\n")


def _yaml() -> YAML:
    yaml = YAML()  # round-trip
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line: a line's length is the author's
    yaml.indent(
        mapping=MAPPING_INDENT, sequence=MAPPING_INDENT + SEQUENCE_DASH, offset=SEQUENCE_DASH
    )
    return yaml


def format_spec(text: str, file: str = "<spec>") -> str:
    """`text` in its canonical form; SpecError at file:line:col when it is no spec-shaped YAML."""
    load_yaml(text, file)  # the spec loader's own checks and messages (syntax, size, a mapping)
    yaml = _yaml()
    try:
        root = yaml.load(text)
    except YAMLError as exc:  # load_yaml accepts the file: ruamel differs on it
        mark = getattr(exc, "problem_mark", None)
        loc = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file, 1, 1)
        raise SpecError(
            [Diagnostic(f"gkeplan fmt cannot read it: {exc}", loc, code="yaml")]
        ) from None
    if not isinstance(root, CommentedMap):
        raise SpecError(
            [Diagnostic("the spec is not a mapping", Location(file, 1, 1), code="yaml")]
        )
    merged = _merge_key(root)
    if merged is not None:
        raise LeftAsIs(
            [
                Diagnostic(
                    "left as it is: it uses a YAML merge key (<<), whose keys gkeplan fmt "
                    "cannot reorder without moving the anchor's values",
                    Location(file, merged[0] + 1, merged[1] + 1),
                    hint="write the merged keys out to have the file formatted",
                    severity=Severity.WARNING,
                    code="yaml",
                )
            ]
        )
    slots = list(_slots(root, 0, False))
    header, ending = _attach(text, root, slots)
    _clear(root)
    _reorder(root, SPEC_SHAPE)
    _put_back(slots, root, header, ending)
    out = io.StringIO()
    yaml.dump(root, out)
    text = out.getvalue()
    return text if text.endswith("\n") else text + "\n"
