"""Did-you-mean suggestions that stay fast when a spec has tens of thousands of names.

difflib compares a word with every candidate; for n wrong references among n names that is
quadratic. Past SMALL names an index keeps them sorted forwards and by their reversed spelling:
a misspelt name sorts next to the names that share its start, or its end, so only a capped
window of neighbours (4 x WINDOW) is scored, by the length of the start and end they share
(one typo keeps all but one character) on difflib's scale and cutoff. Building is O(n log n),
each query O(log n).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

SMALL = 200  # up to this many candidates, compare with all of them (exactly difflib's answer)
WINDOW = 3  # neighbours taken on each side, in each order
CUTOFF = 0.6  # difflib.get_close_matches' default


class Suggester:
    def __init__(self, candidates: Iterable[str]) -> None:
        self.names = sorted(set(candidates))
        self.reversed = sorted(n[::-1] for n in self.names) if len(self.names) > SMALL else []

    def closest(self, name: str, n: int = 3) -> list[str]:
        if len(self.names) <= SMALL:
            import difflib  # only once a name is wrong: most runs suggest nothing

            return difflib.get_close_matches(name, self.names, n=n, cutoff=CUTOFF)
        pool = set(_around(self.names, name))
        pool.update(r[::-1] for r in _around(self.reversed, name[::-1]))
        scored = sorted((-_similarity(name, c), c) for c in pool)[:n]
        return [c for score, c in scored if -score >= CUTOFF]


def _around(ordered: list[str], word: str) -> list[str]:
    i = bisect.bisect_left(ordered, word)
    return ordered[max(0, i - WINDOW) : i + WINDOW]


def _common_start(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _similarity(a: str, b: str) -> float:
    """2 x (shared start + shared end) / total length: difflib's ratio when one edit differs."""
    if not a and not b:
        return 1.0
    start = _common_start(a, b)
    end = _common_start(a[start:][::-1], b[start:][::-1])
    return 2 * (start + end) / (len(a) + len(b))


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
