"""Did-you-mean suggestions that stay fast when a spec has tens of thousands of names.

difflib compares a word with every candidate; for n wrong references among n names that is
quadratic. An index keeps the names sorted forwards and by their reversed spelling: a misspelt
name sorts next to the names that share its start, or its end, so only a capped window of
neighbours (at most 4 x WINDOW) is compared. Building is O(n log n), each query O(log n).
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterable

SMALL = 200  # up to this many candidates, compare with all of them (exactly difflib's answer)
WINDOW = 12  # neighbours taken on each side, in each order


class Suggester:
    def __init__(self, candidates: Iterable[str]) -> None:
        self.names = sorted(set(candidates))
        self.reversed = sorted(n[::-1] for n in self.names) if len(self.names) > SMALL else []

    def closest(self, name: str, n: int = 3) -> list[str]:
        if len(self.names) <= SMALL:
            return difflib.get_close_matches(name, self.names, n=n, cutoff=0.6)
        pool = set(_around(self.names, name))
        pool.update(r[::-1] for r in _around(self.reversed, name[::-1]))
        return difflib.get_close_matches(name, sorted(pool), n=n, cutoff=0.6)


def _around(ordered: list[str], word: str) -> list[str]:
    i = bisect.bisect_left(ordered, word)
    return ordered[max(0, i - WINDOW) : i + WINDOW]


class Suggestions:
    """One index per candidate collection, built on first use and kept for the run."""

    def __init__(self) -> None:
        self._indexes: dict[int, tuple[object, Suggester]] = {}

    def closest(self, name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
        entry = self._indexes.get(id(candidates))
        if entry is None or entry[0] is not candidates:
            entry = (candidates, Suggester(candidates))
            self._indexes[id(candidates)] = entry  # keeps `candidates` alive: ids stay unique
        return entry[1].closest(name, n)
