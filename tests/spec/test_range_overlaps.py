"""The range-overlap sweep the network kinds validate with, against the pairwise definition."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from gkeplan.kinds.network import overlapping

# small address space and many prefix lengths, so that nesting and equality are common
cidrs = st.builds(
    lambda addr, prefix: str(ipaddress.IPv4Network((addr << 20, prefix), strict=False)),
    st.integers(0, 15),
    st.integers(4, 12),
)


def _key(cidr: str) -> tuple[int, int]:
    net = ipaddress.IPv4Network(cidr)
    return int(net.network_address), -int(net.broadcast_address)


@given(st.lists(st.tuples(cidrs, st.integers(0, 3)), max_size=25))
def test_every_overlap_across_groups_is_reported_and_nothing_else(
    ranges: list[tuple[str, int]],
) -> None:
    items = [(cidr, group, i) for i, (cidr, group) in enumerate(ranges)]
    found = overlapping(items)
    for later, earlier in found:  # each report is a true overlap of two groups
        assert ranges[later][1] != ranges[earlier][1]
        x, y = (ipaddress.IPv4Network(ranges[t][0]) for t in (later, earlier))
        assert x.overlaps(y)
    reported = {later for later, _ in found}
    for i, (a, ga) in enumerate(ranges):
        for j, (b, gb) in enumerate(ranges):
            if i != j and ga != gb and ipaddress.IPv4Network(a).overlaps(ipaddress.IPv4Network(b)):
                # of the two, the one the sweep meets second is reported
                assert i in reported or j in reported
                if _key(a) > _key(b):
                    assert i in reported


def test_ranges_of_one_group_never_conflict() -> None:
    assert overlapping([("10.0.0.0/8", "a", 1), ("10.1.0.0/16", "a", 2)]) == []
    assert overlapping([("10.0.0.0/8", "a", 1), ("10.1.0.0/16", "b", 2)]) == [(2, 1)]


def test_ten_thousand_ranges_take_well_under_a_second() -> None:
    import time

    ranges = [(f"10.{i // 256}.{i % 256}.0/24", i, i) for i in range(10_000)]
    started = time.process_time()
    assert overlapping(ranges) == []
    assert time.process_time() - started < 1.0
