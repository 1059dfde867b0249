"""Point 3: colour follows NO_COLOR, FORCE_COLOR, TERM=dumb and --no-color."""

from __future__ import annotations

from click.testing import CliRunner

from gkeplan.cli import cli

from .helpers import EXAMPLES

SPEC = str(EXAMPLES / "tutorial-as-written.yaml")  # errors and warnings: coloured lines
ARGS = ["validate", SPEC, "--var", "PROJECT_ID=demo-project"]
ESC = "\x1b["


def run(args: list[str], env: dict[str, str], terminal: bool) -> str:
    # color=True: CliRunner behaves as a terminal would (click colours it by default).
    base = {"NO_COLOR": "", "FORCE_COLOR": "", "TERM": "xterm-256color"}
    return CliRunner().invoke(cli, args, env={**base, **env}, color=terminal).output


def test_a_terminal_gets_colour_by_default() -> None:
    assert ESC in run(ARGS, {}, terminal=True)


def test_no_color_env_turns_colour_off_on_a_terminal() -> None:
    assert ESC not in run(ARGS, {"NO_COLOR": "1"}, terminal=True)


def test_term_dumb_turns_colour_off() -> None:
    assert ESC not in run(ARGS, {"TERM": "dumb"}, terminal=True)


def test_no_color_flag_before_or_after_the_command() -> None:
    assert ESC not in run(["--no-color", *ARGS], {}, terminal=True)
    assert ESC not in run([*ARGS, "--no-color"], {}, terminal=True)


def test_force_color_colours_a_pipe() -> None:
    assert ESC not in run(ARGS, {}, terminal=False)
    assert ESC in run(ARGS, {"FORCE_COLOR": "1"}, terminal=False)


def test_no_color_beats_force_color() -> None:
    assert ESC not in run(ARGS, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, terminal=False)
