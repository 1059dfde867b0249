"""What gkeplan must never show as it is: sensitive values, and characters that rewrite a terminal.

One place for both, called by every renderer (plan text, JSON, markdown, saved plans, apply
progress, `state show`, diagnostics):

- A variable declared `sensitive: true` registers its value when the spec's variables are
  resolved. Any string that contains a registered value (the value itself, or a label or name
  built from it) is shown as `(sensitive)`. The field names holding such values are recorded per
  change and per state entry (`sensitive`), so a saved plan or `state show` masks them without
  the spec at hand.
- Control characters (ANSI escape sequences start with ESC) and Unicode bidirectional overrides
  (the "Trojan Source" characters, CVE-2021-42574) from user data are shown escaped, `\\x1b`,
  `\\u202e`, so they can neither recolour a terminal nor reorder what a reviewer reads.

The registry is per process and only grows: masking more than needed is the safe mistake.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

SENSITIVE = "(sensitive)"

_lock = threading.Lock()
_values: set[str] = set()

# C0 and C1 controls except tab and newline, DEL, and the bidi embeddings, overrides and
# isolates (U+202A-U+202E, U+2066-U+2069) plus the implicit marks (U+200E, U+200F, U+061C).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def register(values: Iterable[str]) -> None:
    """Mark values as sensitive for the rest of this process (empty strings are ignored:
    every string would contain them)."""
    with _lock:
        _values.update(v for v in values if v)


def registered() -> frozenset[str]:
    with _lock:
        return frozenset(_values)


def is_sensitive(value: Any, secrets: frozenset[str] | None = None) -> bool:
    """True when `value` (or anything nested in it) contains a sensitive value."""
    secrets = registered() if secrets is None else secrets
    if not secrets:
        return False
    if isinstance(value, str):
        return any(s in value for s in secrets)
    if isinstance(value, Mapping):
        return any(is_sensitive(k, secrets) or is_sensitive(v, secrets) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return any(is_sensitive(v, secrets) for v in value)
    return False


def mask(value: Any) -> Any:
    """`value` with every string that contains a sensitive value replaced by `(sensitive)`,
    recursively through dicts and lists."""
    secrets = registered()
    if not secrets:
        return value
    return _mask(value, secrets)


def _mask(value: Any, secrets: frozenset[str]) -> Any:
    if isinstance(value, str):
        return SENSITIVE if any(s in value for s in secrets) else value
    if isinstance(value, Mapping):
        return {_mask(k, secrets): _mask(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v, secrets) for v in value]
    return value


def sensitive_fields(attributes: Mapping[str, Any] | None) -> list[str]:
    """The names of the fields whose values are (or contain) sensitive values."""
    secrets = registered()
    return sorted(k for k, v in (attributes or {}).items() if is_sensitive(v, secrets))


def mask_fields(attributes: Mapping[str, Any] | None, fields: Iterable[str]) -> dict[str, Any]:
    """Attributes with the named fields masked whole (what a saved plan and the state record),
    and anything else that contains a registered value masked too."""
    hidden = set(fields)
    out = {
        k: (SENSITIVE if k in hidden and v is not None else v)
        for k, v in (attributes or {}).items()
    }
    masked: dict[str, Any] = mask(out)
    return masked


def mask_text(text: str) -> str:
    """Free text (a message, an error) with every sensitive value cut out."""
    secrets = registered()
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, SENSITIVE)
    return text


def escape(text: str) -> str:
    """Control characters and bidi overrides shown as escapes, everything else as it is."""
    return _UNSAFE.sub(lambda m: _escape_char(m.group(0)), text)


def _escape_char(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """What every line of user data goes through before a terminal or a comment shows it."""
    return escape(mask_text(text))
