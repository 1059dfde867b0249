"""What a Terraform expression evaluates to when gkeplan reads it without running Terraform.

Concrete values are Python's (str, int, float, bool, None, list, dict). Three more stand for
what Terraform itself knows only at plan or apply time, so the converted spec can say it in
its own terms: a root input variable (`${NAME}` in the spec), a resource's attribute (a
reference to the resource gkeplan converted it into), and what cannot be evaluated (reported,
never guessed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Missing:
    """No value: a variable without a default that nobody gave."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()


@dataclass(frozen=True)
class Var:
    """A root module input variable. Its `value` (from -var, a var file, terraform.tfvars or its
    default) decides count, for_each and conditions; in a spec string it stays `${NAME}`."""

    name: str
    value: Any = MISSING

    @property
    def spec_name(self) -> str:
        return self.name.upper()


@dataclass(frozen=True)
class Ref:
    """An attribute of a resource or data source instance, e.g.
    module.iam.google_service_account.sa_gke_admin . email."""

    address: str
    attr: tuple[str | int, ...] = ()


@dataclass(frozen=True)
class Unknown:
    """A value gkeplan cannot work out from the configuration alone, and why."""

    why: str


@dataclass(frozen=True)
class Template:
    """A string with interpolations that are not all concrete."""

    parts: tuple[Any, ...]


class RawFloat(float):
    """A number literal that keeps its text: `min_master_version = 1.30` means "1.30"."""

    text: str

    def __new__(cls, text: str) -> RawFloat:
        self = super().__new__(cls, float(text))
        self.text = text
        return self


def is_symbolic(value: Any) -> bool:
    return isinstance(value, (Var, Ref, Unknown, Template))


def concrete(value: Any) -> Any:
    """The value as Terraform would compute it, or an Unknown saying what is missing."""
    if isinstance(value, Var):
        if value.value is MISSING:
            return Unknown(f"var.{value.name} has no value (give it with --var {value.name}=...)")
        return value.value
    if isinstance(value, Template):
        out = []
        for part in value.parts:
            c = concrete(part)
            if isinstance(c, Unknown):
                return c
            out.append(text_of(c))
        return "".join(out)
    if isinstance(value, Ref):
        return Unknown(f"{value.address} is known only once Terraform has made it")
    if isinstance(value, list):
        items = [concrete(v) for v in value]
        bad = next((i for i in items if isinstance(i, Unknown)), None)
        return bad if bad is not None else items
    if isinstance(value, dict):
        pairs = {k: concrete(v) for k, v in value.items()}
        bad = next((v for v in pairs.values() if isinstance(v, Unknown)), None)
        return bad if bad is not None else pairs
    return value


def text_of(value: Any) -> str:
    """A concrete value interpolated into a string, as Terraform writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, RawFloat):
        return value.text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
