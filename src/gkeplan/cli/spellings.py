"""Terraform's single-dash flags (`-target=X`, `-var NAME=V`, `-auto-approve`), answered with
gkeplan's spelling before click reads them as a run of short options ("No such option '-t'").

Terraform's CLI spells its options with one dash, `-name=value` or `-name value`
(https://developer.hashicorp.com/terraform/cli/commands/plan: `-out=FILE`, `-destroy`,
`-refresh-only`, `-replace=ADDRESS`, `-target=ADDRESS`, `-var 'NAME=VALUE'`,
`-var-file=FILENAME`; `terraform apply -h`, quoted in hashicorp/terraform#36779:
`-auto-approve`, and `-destroy`, for which "terraform destroy" is "a convenience alias").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import click

_SINGLE_DASH = re.compile(r"^-([a-z][a-z0-9]*(?:-[a-z0-9]+)+|[a-z][a-z0-9]+)(?:=(.*))?$", re.S)

# Terraform flags with no gkeplan option of the same name on the command.
_ONLY_TERRAFORM = {
    "destroy": "to destroy, run: gkeplan destroy SPEC",
}


def _long_options(command: click.Command) -> dict[str, click.Parameter]:
    return {
        opt[2:]: p
        for p in command.params
        if isinstance(p, click.Option)
        for opt in (*p.opts, *p.secondary_opts)
        if opt.startswith("--")
    }


def _quoted(value: str) -> str:
    return (
        value if re.fullmatch(r"[\w@%+=:,./-]+", value) else "'" + value.replace("'", "'\\''") + "'"
    )


def suggestion(command: click.Command, args: Sequence[str]) -> str | None:
    """The usage error for the first Terraform spelling in `args` (a command's own
    arguments), or None when there is none."""
    options = _long_options(command)
    for i, arg in enumerate(args):
        if arg == "--":
            return None
        match = _SINGLE_DASH.match(arg)
        if match is None:
            continue
        name, value = match.group(1), match.group(2)
        param = options.get(name)
        if param is None:
            if name in _ONLY_TERRAFORM:
                return f"{arg} is Terraform's spelling: {_ONLY_TERRAFORM[name]}"
            continue
        flag = f"--{name}"
        if isinstance(param, click.Option) and not param.is_flag:
            if value is None and i + 1 < len(args):
                value = args[i + 1]
            flag += f" {_quoted(value)}" if value is not None else f" {param.metavar or 'VALUE'}"
        return f"{arg} is Terraform's spelling; did you mean {flag}?"
    return None
