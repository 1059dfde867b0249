"""Compute Engine's client package is imported a submodule at a time (gkeplan.lazy_compute),
and a program that uses gkeplan as a library still sees the whole package."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_compute_client_loads_its_own_service_not_all_of_them() -> None:
    out = _python(
        """
        import sys
        import gkeplan
        from gkeplan.gcp.connection import COMPUTE_CLIENTS
        from google.cloud.compute_v1.services.regions import RegionsClient
        loaded = {m.split(".")[4] for m in sys.modules
                  if m.startswith("google.cloud.compute_v1.services.")}
        print(len(loaded), len(set(COMPUTE_CLIENTS) | {"regions", "projects"}))
        """
    )
    loaded, used = map(int, out.split())
    assert loaded <= used, f"{loaded} compute services imported; gkeplan uses {used}"


def test_a_program_importing_gkeplan_sees_the_whole_compute_package() -> None:
    out = _python(
        """
        import gkeplan
        from google.cloud import compute_v1
        from google.cloud.compute_v1 import InstancesClient
        print(compute_v1.NetworksClient.__name__, InstancesClient.__name__,
              len(compute_v1.__all__) > 1000)
        """
    )
    assert out == "NetworksClient InstancesClient True"


def test_threads_reading_the_package_at_once_all_see_it_whole() -> None:
    out = _python(
        """
        from concurrent.futures import ThreadPoolExecutor
        import gkeplan
        import google.cloud.compute_v1 as compute_v1
        names = ["NetworksClient", "Network", "FirewallsClient", "Router"] * 4
        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(lambda n: getattr(compute_v1, n).__name__, names))
        print(got == names)
        """
    )
    assert out == "True"


def test_an_unknown_name_is_an_attribute_error() -> None:
    out = _python(
        """
        import gkeplan
        import google.cloud.compute_v1 as compute_v1
        print(hasattr(compute_v1, "NoSuchClient"))
        """
    )
    assert out == "False"
