"""Terraform files as bodies of attributes and blocks, each with its file and line.

HCL is parsed by python-hcl2 (its typed tree keeps every node's line); an attribute's
expression stays that tree, evaluated later in its module's scope (`evaluate`). The JSON
syntax (`*.tf.json`) gives the same bodies, its strings being HCL templates.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2
from lark.exceptions import LarkError, UnexpectedInput

from gkeplan.errors import GkeplanError


class ConfigError(GkeplanError):
    """The Terraform configuration cannot be read (file:line:col, what, how to fix)."""


@dataclass
class Attr:
    name: str
    expr: Any  # a python-hcl2 rule, or a JSON value
    file: str
    line: int


@dataclass
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    file: str
    line: int


@dataclass
class Body:
    attrs: dict[str, Attr] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


def _rules(node: Any) -> list[Any]:
    return [c for c in getattr(node, "children", ()) if hasattr(c, "children")]


def _name(node: Any) -> str:
    return "".join(str(getattr(c, "value", c)) for c in node.children if c is not None)


def line_of(node: Any) -> int:
    meta = getattr(node, "_meta", None)
    return int(getattr(meta, "line", 0) or 0)


def _label(node: Any) -> str:
    if type(node).__name__ == "IdentifierRule":
        return _name(node)
    # a StringRule: "text"
    return "".join(
        str(getattr(t, "value", "")) for part in _rules(node) for t in part.children if t
    )


def _body(node: Any, file: str) -> Body:
    body = Body()
    for child in _rules(node):
        kind = type(child).__name__
        if kind == "AttributeRule":
            ident, expr = child.identifier, child.expression
            body.attrs[_name(ident)] = Attr(_name(ident), expr, file, line_of(child))
        elif kind == "BlockRule":
            parts = _rules(child)
            labels = tuple(_label(p) for p in parts if type(p).__name__ != "BodyRule")
            body.blocks.append(
                Block(labels[0], labels[1:], _body(child.body, file), file, line_of(child))
            )
    return body


def parse_hcl(text: str, file: str) -> Body:
    try:
        tree = hcl2.parses(text)
    except UnexpectedInput as exc:
        got = getattr(getattr(exc, "token", None), "value", None)
        found = f" at {got.strip()[:20]!r}" if isinstance(got, str) and got.strip() else ""
        raise ConfigError(
            f"{file}:{exc.line}:{exc.column}: not valid HCL: unexpected input{found}; fix the "
            "syntax there (`terraform validate` names the same place)"
        ) from None
    except LarkError as exc:
        raise ConfigError(f"{file}: not valid HCL: {exc}") from None
    return _body(tree.body, file)


def parse_template(text: str, file: str, line: int) -> Any:
    """A JSON-syntax string as the HCL template it is (`"${var.x}-bucket"`)."""
    tree = hcl2.parses("v = " + json.dumps(text))
    return tree.body.children[0].expression if _rules(tree.body) else text


# Terraform's JSON syntax: these top-level keys hold blocks labelled by their object keys
# (https://developer.hashicorp.com/terraform/language/syntax/json).
_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1}


def _json_lines(text: str) -> list[str]:
    return text.splitlines()


def _find_line(lines: list[str], key: str, after: int) -> int:
    pattern = re.compile(r'"' + re.escape(key) + r'"\s*:')
    for i in range(after, len(lines)):
        if pattern.search(lines[i]):
            return i + 1
    return after + 1


def _json_body(value: dict[str, Any], file: str, line: int) -> Body:
    body = Body()
    for key, v in value.items():
        body.attrs[key] = Attr(key, v, file, line)
    return body


def parse_json(text: str, file: str) -> Body:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{file}: not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{file}:1:1: a .tf.json file holds one JSON object")
    lines = _json_lines(text)
    body = Body()
    for top, content in data.items():
        depth = _LABELS.get(top)
        start = _find_line(lines, top, 0)
        if top == "locals" and isinstance(content, dict):
            body.blocks.append(Block("locals", (), _json_body(content, file, start), file, start))
            continue
        if depth is None or not isinstance(content, dict):
            if isinstance(content, dict):
                body.blocks.append(Block(top, (), _json_body(content, file, start), file, start))
            continue
        stack: list[tuple[tuple[str, ...], Any]] = [((), content)]
        while stack:
            labels, node = stack.pop()
            if len(labels) == depth:
                where = _find_line(lines, labels[-1], start - 1)
                for item in node if isinstance(node, list) else [node]:
                    if isinstance(item, dict):
                        b = Block(top, labels, _json_body(item, file, where), file, where)
                        body.blocks.append(b)
                continue
            if isinstance(node, dict):
                stack.extend(((*labels, k), v) for k, v in reversed(node.items()))
    return body


def load_dir(folder: Path, shown: str) -> Body:
    """Every *.tf and *.tf.json of one module folder (not its subfolders), as one body."""
    if not folder.is_dir():
        raise ConfigError(f"{shown}: no such folder (give the folder of a Terraform configuration)")
    body = Body()
    files = sorted(p for p in folder.iterdir() if p.name.endswith((".tf", ".tf.json")))
    for path in files:
        rel = f"{shown.rstrip('/')}/{path.name}" if shown not in ("", ".") else path.name
        text = path.read_text(encoding="utf-8")
        part = parse_json(text, rel) if path.name.endswith(".json") else parse_hcl(text, rel)
        body.attrs.update(part.attrs)
        body.blocks.extend(part.blocks)
    return body
