"""What a kind's Terraform mapping (`gkeplan/kinds/<kind>/terraform.py`) works with.

A mapping reads one Terraform resource through `TfResource`, whose every read marks the
argument as handled; what is left unread when it returns is reported as left out, so nothing
is dropped silently. It writes the spec through `Output`. The converter (`convert.translate`)
finds each kind's mappings through the registry of kinds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from gkeplan.convert.evaluate import Scope, evaluate
from gkeplan.convert.hcl import Attr, Body
from gkeplan.convert.values import MISSING, Ref, Template, Unknown, Var, concrete, text_of

# Terraform meta-arguments, handled by the converter itself (count, for_each, provider) or
# implied by gkeplan's own graph (depends_on: gkeplan orders by its references).
META = frozenset({"count", "for_each", "provider", "depends_on"})


@dataclass
class Item:
    """One line of the report: something left out, or a note on how it was converted."""

    address: str
    file: str
    line: int
    what: str  # the resource, argument or block
    why: str
    fix: str
    left_out: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "file": self.file,
            "line": self.line,
            "what": self.what,
            "why": self.why,
            "fix": self.fix,
        }


class Output(Protocol):
    """Where mappings write the spec, and what they may ask of the configuration."""

    project: str  # the spec's project, as written (a literal or ${PROJECT_ID})
    region: str

    def provider_major(self) -> int | None: ...
    def key_of(self, ref: Ref, types: Iterable[str]) -> str | None: ...
    def render_ref(self, ref: Ref) -> Any: ...
    def create_as(self, res: TfResource) -> str | None: ...
    def put(self, section: str, key: str, body: dict[str, Any], res: TfResource) -> None: ...
    def put_nested(self, path: tuple[str, ...], body: dict[str, Any], res: TfResource) -> bool: ...
    def append(self, section: str, body: dict[str, Any], res: TfResource) -> None: ...
    def extend(self, path: tuple[str, ...], values: list[Any], res: TfResource) -> bool: ...
    def account_key(self, member_or_email: str) -> str | None: ...
    def use_var(self, var: Var) -> None: ...
    def resource_of(self, value: Any) -> TfResource | None: ...  # a data source too
    def report(self, item: Item) -> None: ...


@dataclass(frozen=True)
class Mapping:
    """How one Terraform resource type becomes gkeplan's."""

    tf_type: str
    kind: str  # the gkeplan kind it produces, for the report
    translate: Callable[[TfResource, Output], None]
    # the spec key the resource takes, so that others can refer to it (None: no key, as IAM)
    key: Callable[[TfResource, Output], str] | None = None
    # the GCP ids (gkeplan's DesiredState.id) of an instance in a Terraform state
    state_ids: Callable[[dict[str, Any]], list[str]] = lambda attrs: []
    order: int = 50  # lower first: what others nest into (a cluster before its node pools)
    # attributes the provider computes (an account's email), as spec text, or None
    computed: Callable[[TfResource, Output, str], Any] | None = None
    # the attribute that is the resource as an IAM member (an account's `member`), if any
    member: str | None = None
    # the Terraform type this one is part of in gkeplan (a NAT of its router): its state
    # instances are adopted with that one's
    part_of: str | None = None


@dataclass
class TfResource:
    """One resource instance (or one of its nested blocks), read argument by argument."""

    address: str
    type: str
    name: str  # the resource's Terraform name (the label)
    body: Body
    scope: Scope
    out: Output
    file: str
    line: int
    index: Any = None  # count.index or each.key
    path: tuple[str, ...] = ()  # the nested block this reads, e.g. ("node_config",)
    used: set[str] = field(default_factory=set)
    children: list[TfResource] = field(default_factory=list)
    provider: Any = None  # the converter's provider configuration for it

    # --- reading ---------------------------------------------------------------------------
    def where(self, name: str | None = None) -> tuple[str, int]:
        attr = self.body.attrs.get(name) if name else None
        return self.file, attr.line if attr else self.line

    def what(self, name: str) -> str:
        return ".".join((*self.path, name))

    def has(self, name: str) -> bool:
        return name in self.body.attrs or any(b.type == name for b in self.body.blocks)

    def peek(self, name: str) -> Any:
        attr = self.body.attrs.get(name)
        return MISSING if attr is None else evaluate(attr.expr, self.scope)

    def raw(self, name: str) -> Any:
        self.used.add(name)
        return self.peek(name)

    def skip(self, *names: str) -> None:
        """Arguments that need no field: they say what gkeplan does anyway (cited there)."""
        self.used.update(names)

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.raw(name)
        if value is MISSING or value is None:
            return default
        out = self.render(value)
        if isinstance(out, Unknown):
            self.leave(name, out.why, "write the value in the spec by hand")
            return default
        return str(out)

    def render(self, value: Any) -> Any:
        """A value as spec text: variables as ${NAME}, references resolved where they can be."""
        if isinstance(value, Var):
            if isinstance(value.value, (dict, list)):
                return self.render(value.value)
            self.out.use_var(value)
            return "${" + value.spec_name + "}"
        if isinstance(value, Ref):
            return self.out.render_ref(value)
        if isinstance(value, Template):
            parts = [self.render(p) for p in value.parts]
            bad = next((p for p in parts if isinstance(p, Unknown)), None)
            return bad if bad is not None else "".join(str(p) for p in parts)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, (list, dict)):
            return concrete(value)
        return text_of(value)

    def value(self, name: str, default: Any = None) -> Any:
        value = self.raw(name)
        if value is MISSING or value is None:
            return default
        out = concrete(value)
        if isinstance(out, Unknown):
            self.leave(name, out.why, "write the value in the spec by hand")
            return default
        return out

    def flag(self, name: str, default: bool | None = None) -> bool | None:
        value = self.value(name)
        if value is None:
            return default
        if isinstance(value, str) and value in ("true", "false"):
            return value == "true"  # Terraform converts "false" to a bool where one is wanted
        return bool(value)

    def number(self, name: str, default: int | None = None) -> int | None:
        value = self.value(name)
        if value is None:
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            self.leave(name, f"{value!r} is not a number", "write a number in the spec")
            return default

    def strings(self, name: str) -> list[str] | None:
        value = self.raw(name)
        if value is MISSING or value is None:
            return None
        if isinstance(value, Var):
            value = concrete(value)
        if not isinstance(value, list):
            self.leave(name, "not a list that can be read before Terraform runs", "list it")
            return None
        out: list[str] = []
        for item in value:
            text = self.render(item)
            if isinstance(text, Unknown):
                self.leave(name, text.why, "write the list in the spec by hand")
                return None
            out.append(str(text))
        return out

    def labels(self, name: str) -> dict[str, str] | None:
        value = self.raw(name)
        if isinstance(value, Var):
            value = concrete(value)
        if value is MISSING or value is None:
            return None
        if not isinstance(value, dict):
            self.leave(name, "not a map that can be read before Terraform runs", "write it")
            return None
        out: dict[str, str] = {}
        for k, v in value.items():
            text = self.render(v)
            if isinstance(text, Unknown):
                self.leave(name, text.why, "write the map in the spec by hand")
                return None
            out[str(k)] = str(text)
        return out

    def ref_key(self, name: str, types: Iterable[str]) -> str | None:
        """The spec key of the resource this argument refers to, when it is one converted."""
        value = self.peek(name)
        return self.out.key_of(value, types) if isinstance(value, Ref) else None

    def blocks(self, name: str) -> list[TfResource]:
        self.used.add(name)
        found = [b for b in self.body.blocks if b.type == name]
        attr = self.body.attrs.get(name)
        out: list[TfResource] = []
        for b in found:
            out.append(self._child(name, b.body, b.line))
        if attr is not None:  # the JSON syntax, or a block written as an attribute
            value = attr.expr
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict):
                    body = Body({k: _attr(k, v, attr) for k, v in item.items()})
                    out.append(self._child(name, body, attr.line))
        return out

    def block(self, name: str) -> TfResource | None:
        found = self.blocks(name)
        return found[0] if found else None

    def _child(self, name: str, body: Body, line: int) -> TfResource:
        child = TfResource(
            self.address,
            self.type,
            self.name,
            body,
            self.scope,
            self.out,
            self.file,
            line,
            self.index,
            (*self.path, name),
            provider=self.provider,
        )
        self.children.append(child)
        return child

    # --- reporting -------------------------------------------------------------------------
    def leave(self, name: str, why: str, fix: str) -> None:
        self.used.add(name)
        file, line = self.where(name)
        self.out.report(Item(self.address, file, line, self.what(name), why, fix))

    def note(self, name: str, why: str, fix: str = "") -> None:
        file, line = self.where(name)
        self.out.report(Item(self.address, file, line, self.what(name), why, fix, False))

    def unread(self) -> list[tuple[str, int]]:
        """What this block (and its nested blocks) has that no mapping read."""
        out = [
            (self.what(a.name), a.line)
            for a in self.body.attrs.values()
            if a.name not in self.used and not (not self.path and a.name in META)
        ]
        out += [(self.what(b.type), b.line) for b in self.body.blocks if b.type not in self.used]
        for child in self.children:
            out += child.unread()
        return out


def _attr(name: str, value: Any, near: Attr) -> Attr:
    return Attr(name, value, near.file, near.line)


def first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def compact(body: dict[str, Any]) -> dict[str, Any]:
    """The body without the fields left unset (None): the spec writes what was said."""
    return {k: v for k, v in body.items() if v is not None}


_PLAIN = re.compile(r"[a-z][a-z0-9-]*\Z")


def spec_key(res: TfResource, name_arg: str = "name") -> str:
    """The key a keyed resource takes: its GCP name when that is written plainly (the spec's
    name then defaults to it), else its Terraform name."""
    text = res.render(res.peek(name_arg))
    if isinstance(text, str) and _PLAIN.match(text):
        return text
    key = res.name.replace("_", "-").lower()
    return f"{key}-{res.index}" if res.index is not None else key


def keyed(name_arg: str = "name") -> Callable[[TfResource, Output], str]:
    """A mapping's `key`: the resource's spec key from its GCP name argument."""

    def key(res: TfResource, out: Output) -> str:
        return spec_key(res, name_arg)

    return key


def state_id(template: str) -> Callable[[dict[str, Any]], list[str]]:
    """A mapping's `state_ids`: the GCP id from a Terraform state instance's attributes, e.g.
    "projects/{project}/global/networks/{name}"."""

    def ids(attrs: dict[str, Any]) -> list[str]:
        try:
            return [template.format(**attrs)]
        except (KeyError, IndexError):
            return []

    return ids


def name_field(res: TfResource, key: str, name_arg: str = "name") -> str | None:
    """`name:` when the GCP name is not the key."""
    text = res.text(name_arg)
    return None if text == key else text


def same_project(res: TfResource) -> None:
    """A resource's `project`: gkeplan's spec has one project, the provider's."""
    if not res.has("project"):
        return
    text = res.text("project")
    if text is not None and text != res.out.project:
        res.leave(
            "project",
            f"it is in project {text}, not the spec's {res.out.project}",
            "convert that project's resources into a spec of their own",
        )


__all__ = [
    "META",
    "Item",
    "Mapping",
    "Output",
    "TfResource",
    "compact",
    "first",
    "keyed",
    "name_field",
    "same_project",
    "spec_key",
    "state_id",
]
