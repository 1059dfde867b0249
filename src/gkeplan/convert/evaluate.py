"""Terraform expressions, evaluated over python-hcl2's typed tree in one module's scope.

Only what a configuration can know before Terraform runs: literals, templates, variables,
locals, module outputs, `count.index` / `each`, conditionals, operators and the pure
functions below. A resource's attribute stays a `Ref` (the converter maps it to a gkeplan
reference); anything else is an `Unknown` that says why, and is reported, never guessed.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from gkeplan.convert.hcl import parse_template
from gkeplan.convert.values import (
    MISSING,
    RawFloat,
    Ref,
    Template,
    Unknown,
    Var,
    concrete,
    is_symbolic,
    text_of,
)


class Scope(Protocol):
    """What names mean in one module instance (and, inside a resource, its count/each)."""

    folder: Path  # the module's folder, for file() and path.module
    root: Path
    prefix: str  # "" or "module.iam."

    def var(self, name: str) -> Any: ...
    def local(self, name: str) -> Any: ...
    def module_output(self, module: str, output: str) -> Any: ...
    def each(self) -> tuple[Any, Any] | None: ...
    def count_index(self) -> int | None: ...


def _rules(node: Any) -> list[Any]:
    return [
        c
        for c in getattr(node, "children", ())
        if hasattr(c, "children") and type(c).__name__ != "NewLineOrCommentRule"
    ]


def _token(node: Any) -> str:
    return "".join(str(getattr(c, "value", "")) for c in node.children if c is not None)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text.replace("$${", "${").replace("%%{", "%{")
    try:
        return str(json.loads('"' + text + '"')).replace("$${", "${")
    except ValueError:
        return text


def evaluate(expr: Any, scope: Scope) -> Any:
    """The value of one expression (a python-hcl2 rule, or a value of the JSON syntax)."""
    if isinstance(expr, str):
        return evaluate(parse_template(expr, "", 0), scope) if "${" in expr else expr
    if isinstance(expr, list):
        return [evaluate(e, scope) for e in expr]
    if isinstance(expr, dict):
        return {k: evaluate(v, scope) for k, v in expr.items()}
    if expr is None or isinstance(expr, (int, float, bool)):
        return expr
    return _Evaluator(scope).value(expr)


class _Evaluator:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def value(self, node: Any) -> Any:
        kind = type(node).__name__
        method: Callable[[Any], Any] | None = getattr(self, "_" + kind, None)
        if method is None:
            return Unknown(f"a {kind.removesuffix('Rule')} expression is not evaluated")
        return method(node)

    # --- literals ----------------------------------------------------------------------------
    def _ExprTermRule(self, node: Any) -> Any:
        inner = _rules(node)
        return self.value(inner[0]) if inner else None

    def _IntLitRule(self, node: Any) -> Any:
        return int(_token(node))

    def _FloatLitRule(self, node: Any) -> Any:
        return RawFloat(_token(node))

    def _KeywordRule(self, node: Any) -> Any:
        return _KEYWORDS.get(_token(node))

    def _LiteralValueRule(self, node: Any) -> Any:
        return self._KeywordRule(node)

    def _StringRule(self, node: Any) -> Any:
        parts: list[Any] = []
        for part in _rules(node):
            for child in part.children:
                if child is None:
                    continue
                if hasattr(child, "children"):  # an InterpolationRule
                    inner = _rules(child)
                    parts.append(self.value(inner[0]) if inner else "")
                else:
                    parts.append(_unescape(str(child.value)))
        return _join(parts)

    def _HeredocTemplateRule(self, node: Any) -> Any:
        text = _token(node)
        body = text.split("\n", 1)[1] if "\n" in text else ""
        body = body.rsplit("\n", 2)[0] + "\n" if body.count("\n") >= 1 else body
        if "${" in body:
            return Unknown("a heredoc with interpolations is not evaluated")
        return body

    def _HeredocTrimTemplateRule(self, node: Any) -> Any:
        value = self._HeredocTemplateRule(node)
        if not isinstance(value, str):
            return value
        lines = value.splitlines()
        indent = min((len(s) - len(s.lstrip()) for s in lines if s.strip()), default=0)
        return "\n".join(s[indent:] for s in lines) + "\n"

    def _TupleRule(self, node: Any) -> Any:
        return [self.value(e) for e in _rules(node)]

    def _ObjectRule(self, node: Any) -> Any:
        out: dict[str, Any] = {}
        for elem in _rules(node):
            key_rule, value_rule = _rules(elem)[:2]
            key_inner = _rules(key_rule)[0] if _rules(key_rule) else key_rule
            if type(key_inner).__name__ == "IdentifierRule":
                key: Any = _token(key_inner)
            else:
                key = concrete(self.value(key_inner))
            if isinstance(key, Unknown):
                return key
            out[text_of(key)] = self.value(value_rule)
        return out

    # --- names and traversals ------------------------------------------------------------------
    def _IdentifierRule(self, node: Any) -> Any:
        return self._traverse(_token(node), [])

    def _GetAttrExprTermRule(self, node: Any) -> Any:
        return self._chain(node)

    def _IndexExprTermRule(self, node: Any) -> Any:
        return self._chain(node)

    def _chain(self, node: Any) -> Any:
        steps: list[Any] = []
        while True:
            kind = type(node).__name__
            if kind == "GetAttrExprTermRule":
                steps.append(_token(_rules(node.get_attr)[0]))
                node = node.expr_term
            elif kind == "IndexExprTermRule":
                base, index = _rules(node)[:2]
                inner = _rules(index)
                if type(index).__name__ == "ShortIndexRule":
                    steps.append(_Index(int(_token(index).lstrip("."))))
                else:
                    key = concrete(self.value(inner[0])) if inner else None
                    steps.append(key if isinstance(key, Unknown) else _Index(key))
                node = base
            elif kind == "ExprTermRule" and _rules(node):
                node = _rules(node)[0]
            else:
                break
        steps.reverse()
        if type(node).__name__ == "IdentifierRule":
            return self._traverse(_token(node), steps)
        return _apply(self.value(node), steps)

    def _traverse(self, root: str, steps: list[Any]) -> Any:
        bad = next((s for s in steps if isinstance(s, Unknown)), None)
        if bad is not None:
            return bad
        scope = self.scope
        if not steps and root in _KEYWORDS:  # python-hcl2 before 8.1.4 reads them as names
            return _KEYWORDS[root]
        if root == "var" and steps:
            return _apply(scope.var(str(steps[0])), steps[1:])
        if root == "local" and steps:
            return _apply(scope.local(str(steps[0])), steps[1:])
        if root == "module" and len(steps) >= 2:
            return _apply(scope.module_output(str(steps[0]), str(steps[1])), steps[2:])
        if root == "each" and steps:
            each = scope.each()
            if each is None:
                return Unknown("each is used outside a for_each")
            return _apply(each[0] if steps[0] == "key" else each[1], steps[1:])
        if root == "count" and steps == ["index"]:
            index = scope.count_index()
            return index if index is not None else Unknown("count.index outside a count")
        if root == "path" and steps:
            folder = {"module": scope.folder, "root": scope.root, "cwd": scope.root}
            return str(folder.get(str(steps[0]), scope.root))
        if root == "terraform" and steps == ["workspace"]:
            return "default"
        if root == "data" and len(steps) >= 2:
            return _resource_ref(f"{scope.prefix}data.{steps[0]}.{steps[1]}", steps[2:])
        if root == "resource" and len(steps) >= 2:
            root, steps = str(steps[0]), steps[1:]
        if steps and "_" in root:
            return _resource_ref(f"{scope.prefix}{root}.{steps[0]}", steps[1:])
        return Unknown(f"'{root}' is not something a configuration can refer to")

    # --- operators -----------------------------------------------------------------------------
    def _ConditionalRule(self, node: Any) -> Any:
        cond = concrete(self.value(node.condition))
        if isinstance(cond, Unknown):
            return Unknown(f"the condition cannot be decided: {cond.why}")
        return self.value(node.if_true if cond else node.if_false)

    def _UnaryOpRule(self, node: Any) -> Any:
        value = concrete(self.value(node.expr_term))
        if isinstance(value, Unknown):
            return value
        return (not value) if node.operator == "!" else -value

    def _BinaryOpRule(self, node: Any) -> Any:
        left = concrete(self.value(node.expr_term))
        term = node.binary_term
        op = _token(term.binary_operator).strip()
        right = concrete(self.value(term.expr_term))
        for side in (left, right):
            if isinstance(side, Unknown):
                return side
        fn = _OPERATORS.get(op)
        if fn is None:
            return Unknown(f"operator {op} is not evaluated")
        try:
            return fn(left, right)
        except (TypeError, ZeroDivisionError) as exc:
            return Unknown(f"{left!r} {op} {right!r} fails: {exc}")

    def _FunctionCallRule(self, node: Any) -> Any:
        name = _token(_rules(node)[0])
        args_rule = next((r for r in _rules(node) if type(r).__name__ == "ArgumentsRule"), None)
        raw = [self.value(a) for a in _rules(args_rule)] if args_rule is not None else []
        fn = _FUNCTIONS.get(name)
        if fn is None:
            return Unknown(f"function {name}() is not evaluated")
        args = [concrete(a) for a in raw]
        bad = next((a for a in args if isinstance(a, Unknown)), None)
        if bad is not None:
            return bad
        try:
            return fn(self.scope, *args)
        except (OSError, ValueError, TypeError, KeyError, IndexError) as exc:
            return Unknown(f"{name}() fails here: {exc}")


def _join(parts: list[Any]) -> Any:
    if len(parts) == 1 and not isinstance(parts[0], str):
        return parts[0]  # "${x}" is x itself, whatever its type
    flat: list[Any] = []
    for part in parts:
        if isinstance(part, Template):
            flat.extend(part.parts)
        elif is_symbolic(part):
            flat.append(part)
        else:
            flat.append(text_of(part) if part is not None else "")
    if all(isinstance(p, str) for p in flat):
        return "".join(flat)
    merged: list[Any] = []
    for part in flat:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return Template(tuple(merged))


@dataclass(frozen=True)
class _Index:
    """A `[...]` step: on a resource it picks an instance (count or for_each key)."""

    key: Any


def _resource_ref(address: str, steps: list[Any]) -> Any:
    if steps and isinstance(steps[0], _Index):
        key = steps[0].key
        text = str(key) if isinstance(key, int) else json.dumps(key)
        return _apply(Ref(f"{address}[{text}]"), steps[1:])
    return _apply(Ref(address), steps)


def _apply(value: Any, steps: list[Any]) -> Any:
    for step in steps:
        raw = step.key if isinstance(step, _Index) else step
        if isinstance(value, Ref):
            value = Ref(value.address, (*value.attr, raw))
            continue
        if isinstance(value, Var):
            value = concrete(value)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Template):
            return Unknown("an element of a value known only at apply time")
        try:
            value = value[raw]
        except (KeyError, IndexError, TypeError):
            return Unknown(f"no element {raw!r} in {value!r}")
    return value


def _file(scope: Scope, path: str) -> str:
    full = Path(path) if Path(path).is_absolute() else scope.root / path
    return full.read_text(encoding="utf-8")


def _format(scope: Scope, spec: str, *args: Any) -> str:
    return (
        spec.replace("%%", "\x00")
        .replace("%s", "{}")
        .replace("%d", "{}")
        .format(*(text_of(a) for a in args))
        .replace("\x00", "%")
    )


_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "%": operator.mod,
    "&&": lambda a, b: bool(a and b),
    "||": lambda a, b: bool(a or b),
}

_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "file": _file,
    "jsondecode": lambda s, text: json.loads(text),
    "jsonencode": lambda s, v: json.dumps(v, separators=(",", ":")),
    "toset": lambda s, v: sorted(dict.fromkeys(v), key=text_of),
    "tolist": lambda s, v: list(v),
    "tomap": lambda s, v: dict(v),
    "tostring": lambda s, v: text_of(v),
    "tonumber": lambda s, v: float(v) if "." in str(v) else int(v),
    "tobool": lambda s, v: v if isinstance(v, bool) else v == "true",
    "lower": lambda s, v: str(v).lower(),
    "upper": lambda s, v: str(v).upper(),
    "trimspace": lambda s, v: str(v).strip(),
    "replace": lambda s, v, a, b: str(v).replace(a, b),
    "format": _format,
    "join": lambda s, sep, items: sep.join(text_of(i) for i in items),
    "split": lambda s, sep, v: str(v).split(sep),
    "concat": lambda s, *lists: [x for lst in lists for x in lst],
    "merge": lambda s, *maps: {k: v for m in maps for k, v in m.items()},
    "lookup": lambda s, m, k, *default: m[k] if k in m or not default else default[0],
    "length": lambda s, v: len(v),
    "element": lambda s, v, i: v[i % len(v)],
    "coalesce": lambda s, *v: next(x for x in v if x not in (None, "")),
    "flatten": lambda s, v: [y for x in v for y in (x if isinstance(x, list) else [x])],
    "keys": lambda s, m: sorted(m),
    "values": lambda s, m: [m[k] for k in sorted(m)],
    "contains": lambda s, v, x: x in v,
    "min": lambda s, *v: min(v),
    "max": lambda s, *v: max(v),
    "abs": lambda s, v: abs(v),
    "substr": lambda s, v, a, n: str(v)[a : a + n if n >= 0 else None],
}

__all__ = ["MISSING", "Scope", "evaluate"]
