"""Seeded fault injection per method: latency, error statuses, and lost responses."""

from __future__ import annotations

import fnmatch
import random
import threading
from dataclasses import dataclass

from gkeplan_emulator.config import FaultRule

__all__ = ["Decision", "FaultInjector", "FaultRule"]


@dataclass
class Decision:
    latency_s: float = 0.0
    fail_before: int | None = None  # answer this status without running the call
    fail_after: int | None = None  # run and commit, then answer this status
    operation_error: str | None = None  # the call succeeds; its long-running operation fails


class FaultInjector:
    def __init__(self, rules: tuple[FaultRule, ...] | list[FaultRule] = (), seed: int = 0) -> None:
        self._rules = list(rules)
        self._used = [0] * len(self._rules)
        self._seen = [0] * len(self._rules)
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def set_rules(
        self, rules: list[FaultRule] | tuple[FaultRule, ...], seed: int | None = None
    ) -> None:
        """New rules, their counts from zero; with `seed`, the draws start again from it (a
        campaign's trials then fire the same faults whatever ran before them)."""
        with self._lock:
            if seed is not None:
                self._random = random.Random(seed)
            self._rules = list(rules)
            self._used = [0] * len(rules)
            self._seen = [0] * len(rules)

    @property
    def rules(self) -> list[FaultRule]:
        return list(self._rules)

    def decide(self, method: str) -> Decision:
        decision = Decision()
        with self._lock:
            for i, rule in enumerate(self._rules):
                if not fnmatch.fnmatchcase(method, rule.method):
                    continue
                self._seen[i] += 1
                if self._seen[i] <= rule.skip:
                    continue
                if rule.count is not None and self._used[i] >= rule.count:
                    continue
                if self._random.random() >= rule.probability:
                    continue
                self._used[i] += 1
                if rule.kind == "latency":
                    decision.latency_s += rule.latency_s
                elif rule.kind == "lost_response":
                    decision.fail_after = rule.status
                elif rule.kind == "operation_error":
                    decision.operation_error = (
                        "Google Compute Engine: The zone does not have enough resources "
                        "available to fulfill the request. Try a different zone, or try again "
                        "later."
                    )
                else:
                    decision.fail_before = rule.status
        return decision
