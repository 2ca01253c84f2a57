"""The worker loop: results, errors and cancellation cross threads the way an await would."""

from __future__ import annotations

import asyncio
import threading

import pytest

from codefloor.worker import Worker, WorkerClosed


@pytest.fixture
def worker():
    w = Worker()
    yield w
    w.close()


async def test_the_coroutine_runs_on_the_worker_thread_and_its_result_comes_back(worker):
    async def where() -> str:
        await asyncio.sleep(0)
        return threading.current_thread().name

    assert await worker.run(where) == "codefloor-io"
    assert threading.current_thread().name != "codefloor-io"


async def test_an_exception_reaches_the_caller_unchanged(worker):
    class Boom(Exception):
        pass

    async def fail() -> None:
        raise Boom("upstream said no")

    with pytest.raises(Boom, match="upstream said no"):
        await worker.run(fail)


async def test_cancelling_the_caller_cancels_the_worker_task_and_waits_for_its_cleanup(worker):
    started, cleaned_up = threading.Event(), []

    async def stream() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        finally:
            await asyncio.sleep(0.05)  # like closing an HTTP stream: cleanup that itself awaits
            cleaned_up.append(threading.current_thread().name)

    caller = asyncio.ensure_future(worker.run(stream))
    await asyncio.to_thread(started.wait, 5)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert cleaned_up == ["codefloor-io"]  # done before the caller saw CancelledError


async def test_a_worker_task_cancelled_by_close_cancels_the_caller():
    worker = Worker()
    started = threading.Event()

    async def forever() -> None:
        started.set()
        await asyncio.sleep(60)

    caller = asyncio.ensure_future(worker.run(forever))
    await asyncio.to_thread(started.wait, 5)
    await asyncio.to_thread(worker.close)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(caller, 5)
    with pytest.raises(WorkerClosed):
        await worker.run(forever)


async def test_relay_runs_the_callback_on_the_callers_loop(worker):
    seen: list[tuple[str, int]] = []
    caller_thread = threading.current_thread().name
    relayed = worker.relay(lambda n: seen.append((threading.current_thread().name, n)))

    async def call_back() -> None:
        relayed(7)

    await worker.run(call_back)
    # Already there: relayed calls are queued on this loop ahead of the result, so a progress
    # report sent from a callback always precedes the end of that progress.
    assert seen == [(caller_thread, 7)]
    assert worker.relay(None) is None
