"""bucket_of: every cost direction lands in a bucket whose closed range really holds it (exactly)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from codefloor.selection.index import BOUNDARIES, bucket_of


def holds(bucket: int, inp: int, out: int) -> bool:
    (u0, v0), (u1, v1) = BOUNDARIES[bucket], BOUNDARIES[bucket + 1]
    return out * u0 >= inp * v0 and out * u1 <= inp * v1  # lower <= out/in <= upper, in integers


def test_boundaries_are_sorted_by_ratio():
    for (u0, v0), (u1, v1) in zip(BOUNDARIES, BOUNDARIES[1:]):
        assert v0 * u1 < v1 * u0


def test_directions_on_and_next_to_every_boundary():
    for u, v in BOUNDARIES[1:-1]:
        for inp, out in ((u, v), (u, v + 1), (u, v - 1), (u + 1, v), (3 * u, 3 * v)):
            assert holds(bucket_of(inp, out), inp, out), (inp, out)


@settings(max_examples=500)
@given(inp=st.integers(0, 10**7), out=st.integers(0, 10**7))
def test_any_direction(inp, out):
    if inp or out:
        assert holds(bucket_of(inp, out), inp, out)
