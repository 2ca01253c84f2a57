"""Full garbage collections between bursts of model requests, not in the middle of them.

A full collection walks every tracked object that is not frozen, holding the GIL, so no LSP
message is read while it runs. While hundreds of model requests stream, their state (coroutines,
futures, httpcore connections: ~250 objects each) outlives the young generations, and CPython
ran a full collection every ~2 s of the load scenario over ~55,000 objects: 18-36 ms each, the
longest listing stalls under load (traced once with gc.callbacks; docs/reliability.md).

Here automatic full collections are 10x rarer (still automatic, so memory stays bounded under
load that never pauses), and one runs once no model request has been in flight for `idle_s`,
when it delays nobody, if anything reached the old generation since the last full collection
(light use costs none: measured once, 12 code actions resolved 0.3 s apart ran no full
collection). The first of those also freezes what survives it: modules, hooks and pools that
the first requests loaded live as long as the server, and later full collections skip them.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

FULL_COLLECTION_EVERY = 100  # young-generation collections between automatic full ones (CPython: 10)
IDLE_S = 0.1


def make_full_collections_rare() -> None:
    """Process-wide: for the server process only (`codefloor serve`)."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_EVERY)


def _promoted_since_full_collection() -> int:
    return gc.get_count()[2]  # young-generation collections since the last full one


class QuietCollector:
    def __init__(self, *, idle_s: float = IDLE_S, collect: Callable[[], object] = gc.collect,
                 freeze: Callable[[], None] = gc.freeze,
                 promoted: Callable[[], int] = _promoted_since_full_collection) -> None:
        self.idle_s = idle_s
        self.collections = 0
        self._collect = collect
        self._freeze = freeze
        self._promoted = promoted
        self._in_flight = 0
        self._timer: asyncio.TimerHandle | None = None

    @contextmanager
    def busy(self) -> Iterator[None]:
        """Around one model request, on the server's event loop."""
        self._in_flight += 1
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._timer = asyncio.get_running_loop().call_later(self.idle_s, self._quiet)

    def _quiet(self) -> None:
        self._timer = None
        if self._in_flight or not self._promoted():
            return
        self._collect()
        self.collections += 1
        if self.collections == 1:
            self._freeze()
