"""Predefined IAM roles: which exist, which Google deprecated, and what they grant."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from gkeplan.catalog._data import load

BASIC_ROLES = ("roles/owner", "roles/editor", "roles/viewer")


@cache
def role_names() -> frozenset[str]:
    return frozenset(load("roles.json")["roles"])


def roles_date() -> str:
    value: str = load("roles.json")["_date"]
    return value


def deprecated_role(role: str) -> tuple[str, str] | None:
    """(successor, source) of a role Google documents as deprecated, else None."""
    entry = load("roles.json")["deprecated"].get(role)
    return (entry["successor"], entry["source"]) if entry else None


def is_basic_role(role: str) -> bool:
    return role in BASIC_ROLES


def _lists() -> dict[str, list[str]]:
    data: dict[str, list[str]] = load("role-permissions.json")["permissions"]
    return data


@cache
def role_permissions(role: str) -> frozenset[str]:
    """Permissions of a predefined role, limited to the services gkeplan manages or checks."""
    # One role at a time: building sets for all 2,387 roles up front costs ~0.1 s.
    return frozenset(_lists().get(role, ()))


def role_size(role: str) -> int:
    """How many permissions the whole role grants (all services), for 'smallest role' choices."""
    sizes: dict[str, int] = load("role-permissions.json")["sizes"]
    return sizes.get(role, 0)


def roles_granting(permissions: Iterable[str]) -> tuple[str, ...]:
    """Predefined roles granting all of `permissions`, smallest first, basic roles last."""
    wanted = list(dict.fromkeys(permissions))
    if not wanted:
        return ()
    # Scanning the raw lists for the first permission (~0.5 ms) beats building a
    # permission -> roles index over every role (~70 ms) for the few calls a run makes.
    first, rest = wanted[0], wanted[1:]
    candidates = [role for role, perms in _lists().items() if first in perms]
    found = [r for r in candidates if all(p in role_permissions(r) for p in rest)]
    return tuple(sorted(found, key=lambda r: (is_basic_role(r), role_size(r), r)))
