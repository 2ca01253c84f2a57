"""A thread with its own event loop that runs model I/O away from the caller's loop.

The language server's loop must stay free for LSP messages: 200 answers streaming through httpx
keep one loop busy enough that a code action listing waits behind a whole iteration of stream
work (p99 25-35 ms). On a second thread that work competes for the GIL instead, which Python
hands over every switch interval (5 ms), so a listing no longer waits for the streams' turn.

`await worker.run(factory)` starts factory() as a task on the worker loop and returns its result
on the caller's loop. Cancelling the caller cancels the worker task and waits until it has
finished (the router closes the upstream stream and records the attempt), then CancelledError
goes on. Callbacks invoked on the worker thread must not touch the caller's objects: wrap them
with relay(), which runs them on the caller's loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


class WorkerClosed(RuntimeError):
    """run() after close(): the worker loop no longer takes work."""


class Worker:
    def __init__(self, name: str = "codefloor-io") -> None:
        self._loop = asyncio.new_event_loop()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)  # daemon: never blocks exit
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_forever()
            # Stopped by close(): let what is still running see CancelledError and clean up.
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            if pending:
                self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        finally:
            self._loop.close()

    async def run(self, factory: Callable[[], Awaitable[T]]) -> T:
        """factory() runs on the worker loop; its result or exception comes back here."""
        if self._closed:
            raise WorkerClosed("the worker loop is closed")
        caller = asyncio.get_running_loop()
        outcome: asyncio.Future[T] = caller.create_future()
        started: list[asyncio.Task[T]] = []  # touched on the worker thread only

        def start() -> None:
            task = self._loop.create_task(_awaited(factory))
            task.add_done_callback(lambda t: _deliver(caller, t, outcome))
            started.append(task)

        def cancel() -> None:  # scheduled after start(), so started holds the task
            for task in started:
                task.cancel()

        self._loop.call_soon_threadsafe(start)
        try:
            return await asyncio.shield(outcome)  # shield: our cancellation is handled below
        except asyncio.CancelledError:
            if not outcome.done():
                self._loop.call_soon_threadsafe(cancel)
                # Wait for the worker task's cleanup (stream closed, attempt recorded), so the
                # caller's own cleanup runs after it, as it did when both shared one loop.
                await asyncio.wait([outcome])
            raise

    def relay(self, callback: Callable[..., Any] | None) -> Callable[..., None] | None:
        """callback, made safe to call from the worker thread: it runs on the current loop."""
        if callback is None:
            return None
        loop = asyncio.get_running_loop()

        def relayed(*args: Any) -> None:
            loop.call_soon_threadsafe(callback, *args)

        return relayed

    def close(self, timeout: float = 5.0) -> None:
        """Stop the loop after cancelling what runs on it; returns when the thread has ended."""
        if self._closed:
            return
        self._closed = True
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)


async def _awaited(factory: Callable[[], Awaitable[T]]) -> T:
    return await factory()


def _deliver(caller: asyncio.AbstractEventLoop, task: asyncio.Task, outcome: asyncio.Future) -> None:
    """Copy a finished worker task's outcome into the caller's future, on the caller's loop."""

    def settle() -> None:
        if outcome.done():
            return
        if task.cancelled():
            outcome.cancel()
        elif task.exception() is not None:
            outcome.set_exception(task.exception())  # type: ignore[arg-type]
        else:
            outcome.set_result(task.result())

    try:
        caller.call_soon_threadsafe(settle)
    except RuntimeError:
        pass  # the caller's loop is closed (process exit): nobody is waiting any more
