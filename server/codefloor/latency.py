"""What each route's inline completions really take, learned, and which routes miss a folder's budget.

Per route key, two exponentially weighted averages of completion attempts: time to the first useful
chunk (the first text, or the end of an answer with none) and time to the end. Recent measurements
weigh more, by count and by age: a new one gets the weight

    w = 1 - (1 - ALPHA) * 0.5 ** (age of the average / HALF_LIFE_S)

so a burst of requests moves the average by ALPHA each, and one measurement after minutes of silence
all but replaces it (a route that recovered comes back with its first fast answer).

Censored measurements: an attempt that ended without a first chunk (a first-byte timeout, a request
cancelled because the user typed on) says only that the first token takes AT LEAST that long. It
counts when it exceeds the average (then it is a measurement of that much), and says nothing otherwise.

Before a route has a measurement it gets PRIOR_FIRST_TOKEN_MS by kind: local, remote, or reasoning
(a remote model that reasons by default, run at its low-effort setting).

A route whose estimate misses the budget leaves the completion pool. RETRY_AFTER_S after the
measurement that made it slow it is let in again, until its next measurement or for RETRY_WINDOW_S
at most (a completion cancelled before its first token may say nothing); the next retry comes twice
as long later each time, at most RETRY_MAX_S. A measurement within the budget brings it back.

The router owns one LatencyBook per process and calls it on its one event loop; the ledger keeps
every attempt (first_token_ms, latency_ms), and Router replays the recent ones at start.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from codefloor.selection.types import Candidate

ALPHA = 0.3
HALF_LIFE_S = 60.0
RETRY_AFTER_S = 60.0
RETRY_MAX_S = 900.0
RETRY_WINDOW_S = 10.0
# Typical time to the first token of a short completion: a local server with the model loaded; a
# non-reasoning hosted model (network, queueing, prefill); a reasoning model at its lowest effort,
# which still thinks a little before its first visible token.
PRIOR_FIRST_TOKEN_MS = {"local": 500.0, "remote": 800.0, "reasoning": 3000.0}
REPLAYED_ATTEMPTS = 2000  # the ledger's most recent completion attempts replayed at start


def kind(candidate: Candidate) -> str:
    if candidate.route.is_local:
        return "local"
    return "reasoning" if candidate.card.reasons else "remote"


def blended(average: float, value: float, age_s: float) -> float:
    weight = 1 - (1 - ALPHA) * 0.5 ** (max(age_s, 0.0) / HALF_LIFE_S)
    return average + weight * (value - average)


@dataclass
class Learned:
    first_ms: float
    total_ms: float | None
    at: float  # clock time of the last measurement
    count: int


@dataclass
class _Retry:
    at: float  # clock time the route may be tried again
    wait_s: float
    open_until: float | None = None  # being tried again: let in until its next measurement or this time


class LatencyBook:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.learned: dict[str, Learned] = {}
        self._retry: dict[str, _Retry] = {}
        # slow_routes answers, per (budget, candidates): (state version, clock time it holds until, answer).
        # A completion decision per keystroke then costs a lookup, not a pass over every route.
        self._version = 0
        self._answers: dict[tuple[float, int], tuple[int, float, dict[str, str], Sequence[Candidate]]] = {}

    def observe(self, route_key: str, *, first_ms: float | None = None, total_ms: float | None = None,
                at_least_ms: float | None = None, at: float | None = None) -> None:
        """One attempt: its first-token and total time, or only a lower bound of its first token."""
        now = self._clock() if at is None else at
        known = self.learned.get(route_key)
        if first_ms is None:
            if at_least_ms is None or (known is not None and at_least_ms <= known.first_ms):
                return  # censored below what we know: no news
            first_ms = at_least_ms
        if (retry := self._retry.get(route_key)) is not None:
            retry.open_until = None  # the retry has its answer
        self._version += 1
        if known is None:
            self.learned[route_key] = Learned(first_ms, total_ms, now, 1)
            return
        age = now - known.at
        known.first_ms = blended(known.first_ms, first_ms, age)
        if total_ms is not None:
            known.total_ms = total_ms if known.total_ms is None else blended(known.total_ms, total_ms, age)
        known.at, known.count = now, known.count + 1

    def replay(self, rows: Iterable[tuple[float, str, float | None, float, str, str | None]], wall_now: float) -> None:
        """Learn from ledger rows (Ledger.latencies: unix time, route, first_token_ms, latency_ms,
        outcome, error_kind), oldest first, as if each had just been measured at its time; `wall_now`
        (time.time()) places them on this book's clock."""
        for at, route, first_ms, total_ms, outcome, error_kind in rows:
            if first_ms is not None:
                self.observe(route, first_ms=first_ms, total_ms=total_ms if outcome == "ok" else None, at=at)
            elif outcome == "cancelled" or error_kind == "ProviderTimeout":
                self.observe(route, at_least_ms=total_ms, at=at)
        shift = self._clock() - wall_now
        for learned in self.learned.values():
            learned.at += shift
        self._version += 1

    def estimate(self, candidate: Candidate) -> tuple[float, bool]:
        """(first-token ms, learned?) of the candidate's route."""
        learned = self.learned.get(candidate.route.key)
        if learned is not None:
            return learned.first_ms, True
        return PRIOR_FIRST_TOKEN_MS[kind(candidate)], False

    def slow_routes(self, candidates: Sequence[Candidate], budget_ms: float, *, take_retries: bool) -> Mapping[str, str]:
        """Route key -> why, for the routes whose first token misses `budget_ms`. A route due to be
        tried again is left out of the answer when `take_retries` (a decision that may use it; explain
        does not take retries), and its next retry is scheduled. Do not change the answer."""
        now = self._clock()
        key = (budget_ms, id(candidates))
        cached = self._answers.get(key)
        if cached is not None and cached[0] == self._version and now < cached[1] and cached[3] is candidates:
            return cached[2]
        holds_until = math.inf  # the next retry due, or the end of a retry window: the answer changes then
        slow: dict[str, str] = {}
        for candidate in candidates:
            route = candidate.route.key
            if route in slow:
                continue
            first_ms, learned = self.estimate(candidate)
            if first_ms <= budget_ms:
                self._retry.pop(route, None)
                continue
            retry = self._retry.get(route)
            if retry is None:  # the wait runs from the measurement that made it slow
                since = self.learned[route].at if learned else now
                retry = self._retry[route] = _Retry(since + RETRY_AFTER_S, RETRY_AFTER_S)
            if retry.open_until is not None and now < retry.open_until:
                holds_until = min(holds_until, retry.open_until)
                continue  # being tried again
            if now >= retry.at and take_retries:
                retry.open_until = now + RETRY_WINDOW_S
                retry.wait_s = min(retry.wait_s * 2, RETRY_MAX_S)
                retry.at = now + retry.wait_s
                holds_until = min(holds_until, retry.open_until)
                continue  # decisions may try it until it is measured
            holds_until = min(holds_until, retry.at)
            measured = "learned" if learned else f"expected for a {kind(candidate)} route (not measured yet)"
            slow[route] = f"first token {first_ms / 1000:.1f} s {measured} > {budget_ms / 1000:.1f} s budget (completion.maxLatencyMs)"
        if len(self._answers) >= 16:
            self._answers.clear()
        self._answers[key] = (self._version, holds_until, slow, candidates)
        return slow
