"""Defaults for `gkeplan init` from gcloud's own configuration, read as files (no gcloud call).

Layout (cloud.google.com/sdk/docs/configurations and `gcloud topic configurations`): the
config directory is $CLOUDSDK_CONFIG or ~/.config/gcloud; `active_config` names the active
configuration (default "default"), whose properties are the INI file
`configurations/config_NAME` with sections `[core]` (project, account) and `[compute]`
(region). CLOUDSDK_SECTION_PROPERTY variables override a file's values, as for gcloud.
"""

from __future__ import annotations

import configparser
import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GcloudDefaults:
    project: str | None = None
    account: str | None = None
    region: str | None = None


def read_defaults(environ: Mapping[str, str] | None = None) -> GcloudDefaults:
    env = os.environ if environ is None else environ
    root = Path(env.get("CLOUDSDK_CONFIG") or Path(env.get("HOME", "~")) / ".config" / "gcloud")
    parser = configparser.ConfigParser()
    try:
        active = (root / "active_config").read_text(encoding="utf-8").strip() or "default"
    except OSError:
        active = "default"
    # An unreadable gcloud config only means no defaults.
    with contextlib.suppress(configparser.Error, UnicodeDecodeError):
        parser.read(root / "configurations" / f"config_{active}", encoding="utf-8")

    def prop(section: str, name: str) -> str | None:
        override = env.get(f"CLOUDSDK_{section.upper()}_{name.upper()}")
        if override:
            return override
        return parser.get(section, name, fallback=None) or None

    return GcloudDefaults(
        prop("core", "project"), prop("core", "account"), prop("compute", "region")
    )
