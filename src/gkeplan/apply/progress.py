"""Apply progress: a live table on a terminal (rich), timestamped lines everywhere else."""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any

import click

from gkeplan.plan.model import Change


class LineProgress:
    """Plain, timestamped lines: what starts, what finishes, how long it took (CI logs)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __call__(self, what: str, change: Change, detail: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        verb = {"start": "started", "done": "done", "fail": "FAILED"}[what]
        text = f"{stamp} {change.address}: {change.action.value} {verb}"
        if detail:
            text += f" ({detail})"
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
        self.console = Console()
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
        return self

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
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
        if what == "fail":
            self.console.print(f"[red]{change.address}: {change.action.value} FAILED ({detail})")
        else:
            self.console.print(f"{change.address}: {change.action.value} done ({detail})")
