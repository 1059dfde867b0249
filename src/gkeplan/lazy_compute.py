"""Compute Engine's client package without its eager `__init__`.

google-cloud-compute's `google/cloud/compute_v1/__init__.py` imports every one of its service
clients. It lists them in `__lazy_modules__`, for Python 3.15's explicit lazy imports (PEP 810,
https://peps.python.org/pep-0810/); older Pythons import them all. Measured here (bytecode
cached): one client through the package 2.1 s; the types and the six clients gkeplan uses
without it 0.8 s. So before anything imports the package, it is put in `sys.modules` with its
`__init__` not yet run: importing a submodule loads that submodule and what it imports. The
first attribute read on the package itself (a program's `compute_v1.NetworksClient`) runs the
real `__init__` then, so a program that uses gkeplan as a library still sees all of it.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from typing import Any

PACKAGE = "google.cloud.compute_v1"


def defer_package_init() -> None:
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader
    lock = threading.RLock()
    ran = False

    def package_attribute(name: str) -> Any:
        nonlocal ran
        if importlib.util.find_spec(f"{PACKAGE}.{name}") is not None:
            # a submodule (the clients' `from google.cloud.compute_v1 import gapic_version`)
            return importlib.import_module(f"{PACKAGE}.{name}")
        with lock:  # one thread runs `__init__`; the others wait for it to finish
            if not ran:
                ran = True
                loader.exec_module(module)
        try:
            return module.__dict__[name]
        except KeyError:
            raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}") from None

    module.__dict__["__getattr__"] = package_attribute
    sys.modules[PACKAGE] = module
    parent: Any = sys.modules["google.cloud"]
    parent.compute_v1 = module


defer_package_init()
