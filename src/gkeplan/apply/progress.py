"""Apply progress: a live table on a terminal (rich), timestamped lines everywhere else."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

import click

from gkeplan.plan.model import Change
from gkeplan.redact import safe

# Where operation waits (a line every Timeouts.progress_interval_s) and retries (the reason
# and the next attempt) are logged: gcp.retry and gcp.operations.
APPLY_LOG = logging.getLogger("gkeplan.apply")


class _Lines(logging.Handler):
    """Shows the apply log's INFO lines through the progress display while it is active."""

    def __init__(self, show: Callable[[str], None]) -> None:
        super().__init__(logging.INFO)
        self.show = show
        self.saved_level = APPLY_LOG.level

    def install(self) -> None:
        APPLY_LOG.addHandler(self)
        if APPLY_LOG.getEffectiveLevel() > logging.INFO:
            APPLY_LOG.setLevel(logging.INFO)

    def remove(self) -> None:
        APPLY_LOG.removeHandler(self)
        APPLY_LOG.setLevel(self.saved_level)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.show(record.getMessage())
        except Exception:  # a display problem must not fail the apply
            self.handleError(record)


class LineProgress:
    """Plain, timestamped lines: what starts, what finishes, how long it took, what is still
    running and what is retried (CI logs)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log_lines = _Lines(self._line)

    def _line(self, text: str) -> None:
        with self.lock:
            click.echo(f"{time.strftime('%H:%M:%S')} {text}")

    def __enter__(self) -> LineProgress:
        self.log_lines.install()
        return self

    def __exit__(self, *exc: object) -> None:
        self.log_lines.remove()

    def __call__(self, what: str, change: Change, detail: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        verb = {"start": "started", "done": "done", "fail": "FAILED"}[what]
        text = f"{stamp} {change.address}: {change.action.value} {verb}"
        if detail:
            text += f" ({detail})"
        text = safe(text)
        with self.lock:
            click.echo(click.style(text, fg="red") if what == "fail" else text)


class LiveProgress:
    """What is in flight and for how long, what is done, and what still waits (rich)."""

    def __init__(self, changes: list[Change]) -> None:
        from rich.console import Console
        from rich.live import Live

        self.changes = [c for c in changes if c.action.value != "no-op"]
        self.total = len(self.changes)
        self.finished: set[str] = set()
        self.started: dict[str, tuple[Change, float]] = {}
        self.done = 0
        self.failed: list[str] = []
        self.lock = threading.Lock()
        colour = click.get_current_context(silent=True)
        wanted = colour.color if colour is not None else None
        # Rich reads NO_COLOR, FORCE_COLOR and TERM itself; --no-color reaches it from here.
        self.console = Console(no_color=True) if wanted is False else Console()
        self.log_lines = _Lines(lambda text: self.console.print(text, markup=False))
        self.live = Live(
            console=self.console, refresh_per_second=4, get_renderable=self._render, transient=False
        )

    def _render(self) -> Any:
        from rich.table import Table

        with self.lock:
            now = time.monotonic()
            waiting = self.total - self.done - len(self.failed) - len(self.started)
            table = Table(
                title=f"applying: {self.done} done, {len(self.started)} in flight, "
                f"{max(waiting, 0)} waiting, {len(self.failed)} failed",
                title_justify="left",
                show_edge=False,
            )
            table.add_column("in flight")
            table.add_column("action")
            table.add_column("for", justify="right")
            table.add_column("holding up")
            pending = [
                c
                for c in self.changes
                if c.address not in self.finished and c.address not in self.started
            ]
            for address, (change, since) in sorted(self.started.items(), key=lambda i: i[1][1]):
                blocked = [c.address for c in pending if address in c.dependencies]
                held = ", ".join(blocked[:2]) + (
                    f" +{len(blocked) - 2}" if len(blocked) > 2 else ""
                )
                table.add_row(address, change.action.value, f"{now - since:.0f}s", held)
            return table

    def __enter__(self) -> LiveProgress:
        self.live.start()
        self.log_lines.install()
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.log_lines.remove()
        self.live.stop()

    def __call__(self, what: str, change: Change, detail: str) -> None:
        with self.lock:
            if what == "start":
                self.started[change.address] = (change, time.monotonic())
                return
            self.started.pop(change.address, None)
            self.finished.add(change.address)
            if what == "done":
                self.done += 1
            else:
                self.failed.append(change.address)
        verb = "FAILED" if what == "fail" else "done"
        line = safe(f"{change.address}: {change.action.value} {verb} ({detail})")
        self.console.print(line, style="red" if what == "fail" else None, markup=False)
