"""The `gkeplan` command line."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="gkeplan")
def cli() -> None:
    """Provision a GKE ML-serving cluster from one YAML file."""


def main() -> None:
    cli()
