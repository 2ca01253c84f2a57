"""Precomputed structures that turn a decision into a lookup (design and proof of correctness).

Positions. The candidates that pass a request's fixed filters (provider allowed, local only,
capabilities, context class, health) are sorted once by `(-score, model id, route key)`; a
candidate's index in that list is its *position*. Position is also every policy's last tie-break.
The candidates meeting a floor are then a prefix of length `k`, found by one bisect.

Cost directions. A request weighs prices by `w = (input_tokens, output_tokens)`. Only the
direction of `w` matters for ranking, so the quarter-plane of directions is cut into ~38 closed
*buckets* between fixed integer directions `BOUNDARIES` (ratios out/in from 0 through 2**-12 ...
2**6 in sqrt(2) steps to infinity). Inside a bucket `[lo, hi]` every direction is `a*lo + b*hi`
with `a, b >= 0`.

Sure beats. `d` *beats* `c` in bucket j when `(cost_lo(d), pos(d)) < (cost_lo(c), pos(c))` and the
same holds at `hi`. Then for every request direction in the bucket `cost(d) <= cost(c)`, and on
equality `d` comes first (equality forces both boundary costs equal, so the positions decided both).
So a beater ranks ahead of `c` under `cheapest` for every request in the bucket, and, if it is
earlier in position, also under `strongest` (same or higher score, no dearer) and under any price
cap that admits `c`. Beating is an intersection of two strict total orders: a strict partial order,
hence transitive.

The M-skyline. With `M = max_fallbacks + 1` answers wanted, a candidate beaten by `M` members of
the prefix can never be among the first `M`. `R_k` = members of prefix k beaten by fewer than M
members of the prefix. Lemma: if `c` has >= M beaters in a set, it has >= M beaters among that
set's own skyline (take a beater outside the skyline with the fewest beaters; its beaters are
fewer, so by minimality all lie in the skyline, beat `c` by transitivity, and number >= M).
So `R` is maintained incrementally in position order: a new point counts its beaters in `R` only
(it joins if fewer than M), and every member it beats gets one more count (leaving at M).
`R_k` is snapshotted at every score-group end (the only prefixes a floor can select).

Per request: bisect the floor (k), bisect the direction (bucket), then
- cheapest: exact costs of `R_k` (typically 5-15 entries), sort, take M;
- strongest: walk `entered` (points that joined R, i.e. have < M *earlier* beaters -- every
  other point has M earlier beaters that outrank it under `strongest` and any cap) until M
  answers and the end of their score group;
- balanced: strongest's top score gives the band floor; a cheapest query on the band prefix,
  topped up from the full prefix.
Structures are built per (filter key, bucket, M) on first use and kept (see pool.py); building one
is O(n * |R|). Exact integer costs (exact.py) keep ties and cap comparisons identical to the oracle's.
A price cap only adds a filter on the M answers (cap-eligible candidates are a cost prefix),
but counting how many candidates are under the cap is a linear pass over the prefix.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Sequence

from codefloor.selection import wording
from codefloor.selection.types import Candidate

_UNIT = 1 << 20
# Directions (input weight, output weight), by increasing out/in ratio. Integers keep bucket tests exact.
BOUNDARIES: tuple[tuple[int, int], ...] = (
    ((1, 0),) + tuple((_UNIT, round(_UNIT * 2 ** (i / 2))) for i in range(-24, 13)) + ((0, 1),)
)
_RATIOS = tuple(v / u for u, v in BOUNDARIES[1:-1])
_LAST_BUCKET = len(BOUNDARIES) - 2

Item = tuple[int, int, int]  # (exact input price, exact output price, position)


def bucket_of(input_tokens: int, output_tokens: int) -> int:
    """Bucket j whose closed range [BOUNDARIES[j], BOUNDARIES[j+1]] holds the direction (in, out) (not both 0)."""
    if input_tokens == 0:
        return _LAST_BUCKET
    j = bisect_right(_RATIOS, output_tokens / input_tokens)
    # The float ratio can land one bucket off next to a boundary; settle it with exact cross products.
    while j > 0 and output_tokens * BOUNDARIES[j][0] < input_tokens * BOUNDARIES[j][1]:
        j -= 1
    while j < _LAST_BUCKET and output_tokens * BOUNDARIES[j + 1][0] > input_tokens * BOUNDARIES[j + 1][1]:
        j += 1
    return j


class BucketIndex:
    """The M-skyline of every score prefix, for one bucket of cost directions."""

    __slots__ = ("snapshots", "entered")

    def __init__(self, items: Sequence[Item], group_end: Sequence[bool], bucket: int, keep: int):
        (u0, v0), (u1, v1) = BOUNDARIES[bucket], BOUNDARIES[bucket + 1]
        self.snapshots: list[tuple[Item, ...] | None] = [None] * (len(items) + 1)
        self.snapshots[0] = ()
        self.entered: list[int] = []  # positions with fewer than `keep` earlier beaters
        skyline: list[list[int]] = []  # [cost_lo, cost_hi, position, beaten_by]
        for pos, (pin, pout, _) in enumerate(items):
            lo, hi = u0 * pin + v0 * pout, u1 * pin + v1 * pout
            beaten_by = 0
            for member in skyline:  # earlier members beat the newcomer on <= at both ends
                if member[0] <= lo and member[1] <= hi:
                    beaten_by += 1
                    if beaten_by == keep:
                        break
            if beaten_by < keep:
                survivors = []
                for member in skyline:  # the newcomer is later: it must be strictly cheaper at both ends
                    if lo < member[0] and hi < member[1]:
                        member[3] += 1
                        if member[3] == keep:
                            continue
                    survivors.append(member)
                survivors.append([lo, hi, pos, beaten_by])
                skyline = survivors
                self.entered.append(pos)
            if group_end[pos + 1]:
                self.snapshots[pos + 1] = tuple(items[member[2]] for member in skyline)


class FilteredIndex:
    """Candidates passing one combination of request-independent filters, in position order."""

    def __init__(self, candidates: Sequence[Candidate], prices: Sequence[tuple[int, int]]):
        self.candidates = tuple(candidates)
        self._labels: dict[int, str] = {}
        n = len(self.candidates)
        self.neg_scores = [-c.score for c in self.candidates]
        self.items: list[Item] = [(pin, pout, pos) for pos, (pin, pout) in enumerate(prices)]
        self.group_end = [True] + [k == n or self.neg_scores[k - 1] != self.neg_scores[k] for k in range(1, n + 1)]
        # model_counts[k]: distinct models among the first k (routes of one model are adjacent in position order).
        self.model_counts = [0] * (n + 1)
        for k, c in enumerate(self.candidates, start=1):
            new_model = k == 1 or self.candidates[k - 2].card.id != c.card.id
            self.model_counts[k] = self.model_counts[k - 1] + new_model
        self._buckets: dict[tuple[int, int], BucketIndex] = {}

    def label(self, pos: int) -> str:
        """The chosen candidate's part of the reason text, formatted once per candidate."""
        text = self._labels.get(pos)
        if text is None:
            text = self._labels[pos] = wording.label(self.candidates[pos])
        return text

    def prefix(self, floor: float) -> int:
        """How many candidates score >= floor."""
        return bisect_right(self.neg_scores, -floor)

    def bucket(self, bucket: int, keep: int) -> BucketIndex:
        index = self._buckets.get((bucket, keep))
        if index is None:
            index = self._buckets[(bucket, keep)] = BucketIndex(self.items, self.group_end, bucket, keep)
        return index

    def cheapest(self, k: int, inp: int, out: int, keep: int, cap: int | None) -> list[int]:
        """Positions of the `keep` cheapest of the first k under the cap, by (exact cost, position)."""
        if inp == 0 and out == 0:  # every cost is 0: position order
            return list(range(min(k, keep))) if cap is None or cap >= 0 else []
        snapshot = self.bucket(bucket_of(inp, out), keep).snapshots[k]
        ranked = sorted([(inp * pin + out * pout, pos) for pin, pout, pos in snapshot])  # type: ignore[union-attr]
        if cap is None:
            return [pos for _, pos in ranked[:keep]]
        return [pos for cost, pos in ranked[:keep] if cost <= cap]

    def strongest(self, k: int, inp: int, out: int, keep: int, cap: int | None) -> list[int]:
        """Positions of the `keep` strongest of the first k under the cap, by (-score, exact cost, position)."""
        if inp == 0 and out == 0:
            return list(range(min(k, keep))) if cap is None or cap >= 0 else []
        items, neg_scores = self.items, self.neg_scores
        picked: list[tuple[float, int, int]] = []
        for pos in self.bucket(bucket_of(inp, out), keep).entered:
            if pos >= k or (len(picked) >= keep and neg_scores[pos] != picked[-1][0]):
                break  # past the floor, or past the score group of the last answer
            pin, pout, _ = items[pos]
            cost = inp * pin + out * pout
            if cap is None or cost <= cap:
                picked.append((neg_scores[pos], cost, pos))
        picked.sort()
        return [pos for _, _, pos in picked[:keep]]

    def count_under_cap(self, k: int, inp: int, out: int, cap: int | None) -> tuple[int, int]:
        """(candidates, distinct models) among the first k that fit the cap. Linear only when a cap is set."""
        if cap is None:
            return k, self.model_counts[k]
        fitting = [pos for pin, pout, pos in self.items[:k] if inp * pin + out * pout <= cap]
        return len(fitting), len({self.candidates[pos].card.id for pos in fitting})
