"""Spread one provider's concurrent streams over several small httpx connection pools ("lanes").

httpcore 1.0's pool re-examines every one of its connections each time a request starts or ends,
polling each idle socket for a server-side close, and once it holds more connections than its
keep-alive limit it closes every connection that falls idle. One pool for 200 concurrent streams
therefore costs O(n^2) bookkeeping and opens a fresh connection for almost every request (a TLS
handshake against a real provider): 920 new connections for 1,000 answers in
benchmarks/providers/concurrent_streams.py, against 200 with lanes. Keeping all 200 alive in one
pool instead cost ~5x the CPU (the rescans poll every idle socket). Small lanes keep each scan
short and every connection reusable.

A request goes to the first lane with fewer than `per_lane` streams in flight, and a new lane opens
only when every lane is full: light use stays on one lane, and a burst like the last one finds
its lanes filled as before and every connection warm. Lanes share one TLS context; they stay open
(at most one per `per_lane` streams of the largest burst) and close with the provider.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

PER_LANE = 16


class _Lane:
    __slots__ = ("client", "in_flight")

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.in_flight = 0


class Lanes:
    """A growing set of AsyncClients used as one; `stream()` is AsyncClient.stream()."""

    def __init__(self, make_client: Callable[[], httpx.AsyncClient], *, per_lane: int = PER_LANE) -> None:
        if per_lane < 1:
            raise ValueError("per_lane must be at least 1")
        self._make_client: Callable[[], httpx.AsyncClient] | None = make_client
        self._per_lane = per_lane
        self._lanes: list[_Lane] = [_Lane(make_client())]
        self._closed = False

    @classmethod
    def only(cls, client: httpx.AsyncClient) -> Lanes:
        """One lane that never grows: an injected client or transport decides where requests go."""
        lanes = cls(lambda: client)
        lanes._make_client = None
        return lanes

    @property
    def count(self) -> int:
        return len(self._lanes)

    @property
    def is_closed(self) -> bool:
        return self._closed

    def _pick(self) -> _Lane:
        for lane in self._lanes:
            if lane.in_flight < self._per_lane:
                return lane
        if self._make_client is None:
            return self._lanes[0]
        lane = _Lane(self._make_client())
        self._lanes.append(lane)
        return lane

    @asynccontextmanager
    async def stream(self, method: str, url: str, **kwargs: Any) -> AsyncIterator[httpx.Response]:
        if self._closed:
            raise RuntimeError("the provider's HTTP clients are closed")
        lane = self._pick()
        lane.in_flight += 1
        try:
            async with lane.client.stream(method, url, **kwargs) as response:
                yield response
        finally:
            lane.in_flight -= 1

    async def aclose(self) -> None:
        self._closed = True
        for lane in self._lanes:
            await lane.client.aclose()
