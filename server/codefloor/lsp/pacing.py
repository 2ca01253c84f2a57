"""Let handlers that run a model begin their synchronous start one per event-loop turn.

Resolving a code action or computing a completion starts with ~1-2 ms of CPU before its first
real wait (parse the document, decide, open progress and an HTTP connection). A burst of them
(200 actions resolved at once) otherwise all start in the same loop iteration, and a code action
listing that arrived just behind the burst waited for all of it (~0.4 s). Paced, cheap requests
(listings, hover) get in between: each waits for at most one start.
"""

from __future__ import annotations

import asyncio
from collections import deque


class Pacer:
    def __init__(self) -> None:
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._scheduled = False

    async def turn(self) -> None:
        """Wait until this handler may start (FIFO, one per loop iteration)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._waiting.append(future)
        self._schedule(loop)
        await future  # a cancelled waiter is skipped by _release

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._scheduled and self._waiting:
            self._scheduled = True
            loop.call_soon(self._release, loop)

    def _release(self, loop: asyncio.AbstractEventLoop) -> None:
        self._scheduled = False
        while self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_result(None)
                break
        self._schedule(loop)
