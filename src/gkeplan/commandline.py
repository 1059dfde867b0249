"""The commands gkeplan prints for a person to run next, quoted for a POSIX shell and carrying
the spec, variables and target flags of the run that printed them: each can be pasted as
printed (Terraform's hints name the same flags the failing run used)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass


@dataclass(frozen=True)
class CommandLine:
    """How the run that prints a hint was invoked: its spec and the options that pick the same
    variables, state and GCP (`--var`, `--var-file`, `--sandbox`/`--endpoint`, `--state`,
    `--impersonate-service-account`). Sensitive variables are left out: their values are never
    printed, so `hidden` names them and the hint says to set them in the environment."""

    spec: str = "SPEC"
    options: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()  # sensitive variables the run had on its command line
    targets: tuple[str, ...] = ()  # the run's --target addresses

    def gkeplan(
        self,
        *words: str,
        spec_option: bool = False,
        extra: tuple[str, ...] = (),
        targeted: bool = False,
    ) -> str:
        """`gkeplan WORDS... SPEC OPTIONS... EXTRA...` (`--spec SPEC` with `spec_option`);
        `targeted`: with the run's --target flags (a hint to run the same plan again)."""
        spec = ("--spec", self.spec) if spec_option else (self.spec,)
        targets = tuple(w for t in self.targets for w in ("--target", t)) if targeted else ()
        return shlex.join(("gkeplan", *words, *spec, *self.options, *targets, *extra))

    def state_command(self, *words: str) -> str:
        """`gkeplan state WORDS... SPEC` with the options `state` commands take (they pick the
        same state; impersonation is not theirs)."""
        options = list(self.options)
        if "--impersonate-service-account" in options:
            i = options.index("--impersonate-service-account")
            del options[i : i + 2]
        return shlex.join(("gkeplan", "state", *words, self.spec, *options))

    def quoted(
        self,
        *words: str,
        spec_option: bool = False,
        extra: tuple[str, ...] = (),
        targeted: bool = False,
    ) -> str:
        """The command in backticks, as hints inside a sentence show it, and what to set first."""
        command = self.gkeplan(*words, spec_option=spec_option, extra=extra, targeted=targeted)
        line = f"`{command}`"
        if self.hidden:
            names = ", ".join(f"GKEPLAN_VAR_{n}" for n in self.hidden)
            line += f" (with {names} set: sensitive values are never printed)"
        return line


def from_options(
    spec: str,
    var_pairs: tuple[str, ...] = (),
    var_files: tuple[str, ...] = (),
    *,
    sensitive: frozenset[str] = frozenset(),
    sandbox: bool = False,
    endpoint: str | None = None,
    impersonate: str | None = None,
    state_path: str | None = None,
    targets: tuple[str, ...] = (),
    environment: str | None = None,
) -> CommandLine:
    options: list[str] = ["--env", environment] if environment else []
    hidden: list[str] = []
    for pair in var_pairs:
        name = pair.partition("=")[0]
        if name in sensitive:
            hidden.append(name)
        else:
            options += ["--var", pair]
    for file in var_files:
        options += ["--var-file", file]
    if sandbox:
        options.append("--sandbox")
    if endpoint:
        options += ["--endpoint", endpoint]
    if impersonate:
        options += ["--impersonate-service-account", impersonate]
    if state_path:
        options += ["--state", state_path]
    return CommandLine(spec, tuple(options), tuple(hidden), tuple(targets))
