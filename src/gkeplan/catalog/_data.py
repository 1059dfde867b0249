"""Load a catalog data file once, on first use (importing the catalog reads nothing)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

# The data files ship inside the package directory (package-data in pyproject.toml). Read them
# by path: importlib.resources pulls in tempfile and shutil, 17 ms of every validate's start-up.
DATA = Path(__file__).resolve().parent / "data"


@cache
def load(name: str) -> dict[str, Any]:
    text = (DATA / name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
