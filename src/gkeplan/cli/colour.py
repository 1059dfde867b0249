"""Whether to colour output, by the conventions users set once for every tool.

NO_COLOR (https://no-color.org: "when present and not an empty string, prevents the addition
of ANSI color") beats FORCE_COLOR (https://force-color.org: present and non-empty forces
colour even when not a terminal); TERM=dumb is a terminal without escape sequences. None
leaves the choice to click, which colours only a terminal.
"""

from __future__ import annotations

from collections.abc import Mapping


def colour_setting(no_color_flag: bool, environ: Mapping[str, str]) -> bool | None:
    if no_color_flag or environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    return None
