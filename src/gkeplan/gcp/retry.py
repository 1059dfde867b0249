"""Retry policies on google-api-core's Retry, deciding by `gcp.errors.classify`."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TypeVar

from google.api_core import retry as gretry

from gkeplan.gcp.connection import Timeouts
from gkeplan.gcp.errors import AFTER_GRANT, Failure, classify, message

T = TypeVar("T")
log = logging.getLogger("gkeplan.apply")

# The end of the retry budget of the change this thread is working on (monotonic seconds).
_BUDGET_END: ContextVar[float | None] = ContextVar("gkeplan_retry_budget_end", default=None)


@contextlib.contextmanager
def retry_budget(seconds: float | None) -> Iterator[None]:
    """Every retry of one change (transient errors, propagation) shares this many seconds."""
    token = _BUDGET_END.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _BUDGET_END.reset(token)


# Transient errors retried on this thread since `counting()` began: a create retried after one
# may meet the resource its own earlier attempt made (the answer was lost, not the write).
_RETRIED: ContextVar[list[int] | None] = ContextVar("gkeplan_retried", default=None)


@contextlib.contextmanager
def counting() -> Iterator[list[int]]:
    """A one-element list holding how many transient errors were retried inside the block."""
    seen = [0]
    token = _RETRIED.set(seen)
    try:
        yield seen
    finally:
        _RETRIED.reset(token)


def _count(exc: Exception) -> None:
    seen = _RETRIED.get()
    if seen is not None:
        seen[0] += 1


def _within_budget(seconds: float) -> float:
    end = _BUDGET_END.get()
    return seconds if end is None else max(0.0, min(seconds, end - time.monotonic()))


def transient(timeouts: Timeouts) -> gretry.Retry:
    """429, 5xx and dropped connections, with exponential backoff and jitter, bounded by the
    deadline. An etag conflict is not retried here: resending a stale etag cannot succeed,
    so the caller reads again and merges."""
    return gretry.Retry(
        predicate=lambda exc: classify(exc) is Failure.TRANSIENT,
        initial=timeouts.initial_backoff_s,
        maximum=timeouts.max_backoff_s,
        multiplier=2.0,
        timeout=_within_budget(timeouts.call_deadline_s),
        on_error=_log_transient(timeouts),
    )


def _log_transient(timeouts: Timeouts) -> Callable[[Exception], None]:
    def on_error(exc: Exception) -> None:
        # google-api-core calls this before its backoff sleep; the sleep itself is jittered,
        # so the line gives its bound rather than a time.
        if classify(exc) is Failure.TRANSIENT:
            _count(exc)
            log.info(
                "GCP answered %s; retrying with backoff (at most %.0fs apart, for up to %.0fs)",
                reason(exc),
                timeouts.max_backoff_s,
                timeouts.call_deadline_s,
            )

    return on_error


def reason(exc: BaseException) -> str:
    """GCP's status and message, shortened to one line (never a header or a credential:
    Google's errors carry the status and the API's message only)."""
    text = message(exc)
    return text if len(text) <= 200 else text[:197] + "..."


def call(timeouts: Timeouts, fn: Callable[[], T]) -> T:
    result: T = transient(timeouts)(fn)()
    return result


def through_propagation(
    timeouts: Timeouts,
    what: str,
    fn: Callable[[], T],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Retry while a fresh grant or account propagates; raise anything else at once.

    GCP documents that IAM changes take up to minutes to apply; a step that depends on one
    keeps trying, with backoff, for a bounded window instead of sleeping a fixed time first.
    Quota refusals and a disabled API look like permission errors but are final.
    """
    deadline = time.monotonic() + _within_budget(timeouts.propagation_window_s)
    delay = timeouts.initial_backoff_s
    attempt = 0
    while True:
        try:
            return call(timeouts, fn)
        except Exception as exc:
            if classify(exc) not in (Failure.PROPAGATING, Failure.NOT_FOUND):
                raise
            attempt += 1
            if time.monotonic() + delay > deadline:
                # the step follows a grant or an account gkeplan made: its error may say so
                with contextlib.suppress(AttributeError):
                    setattr(exc, AFTER_GRANT, True)
                raise
            log.info(
                "%s: %s; IAM may still be propagating: attempt %d at %s (in %.1fs)",
                what,
                reason(exc),
                attempt + 1,
                time.strftime("%H:%M:%S", time.localtime(time.time() + delay)),
                delay,
            )
            sleep(delay)
            delay = min(delay * 2, timeouts.max_backoff_s)
