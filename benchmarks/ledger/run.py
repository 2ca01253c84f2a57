"""How long one ledger write holds the event loop, against the cost of offloading it to a thread.

    python benchmarks/ledger/run.py [--writes 2000]

The router writes one row per attempt synchronously on the event loop. This prints the time of
one committed INSERT (WAL, synchronous=NORMAL) and, as the same-process baseline, the time of
an `await asyncio.to_thread(no-op)` hop: if a write is not much dearer than the hop that would
hide it, a thread buys nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from codefloor.ledger import Ledger
from codefloor.results import Attempt

ATTEMPT = Attempt("gpt-5-mini", "openai:gpt-5-mini", "openai", "ok", 1800, 240, 0.00093, 812.5)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def thread_hops(n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        await asyncio.to_thread(lambda: None)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writes", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger(Path(folder) / "usage.sqlite3")
        for _ in range(50):  # warm up: file creation, page cache
            ledger.record(ATTEMPT, folder="/warmup", task="action")
        writes = []
        for i in range(args.writes):
            start = time.perf_counter()
            ledger.record(ATTEMPT, folder=f"/work/project{i % 7}", task="action", cost_source="reported")
            writes.append(time.perf_counter() - start)
        start = time.perf_counter()
        ledger.spend_today()
        spend = time.perf_counter() - start
        ledger.close()
    hops = asyncio.run(thread_hops(args.writes))
    write_us, hop_us = statistics.median(writes) * 1e6, statistics.median(hops) * 1e6
    print(f"ledger write (committed INSERT, WAL): median {write_us:.0f} us, p99 {percentile(writes, 0.99) * 1e6:.0f} us"
          f" over {args.writes} writes")
    print(f"baseline asyncio.to_thread hop:      median {hop_us:.0f} us, p99 {percentile(hops, 0.99) * 1e6:.0f} us")
    print(f"write / hop ratio: {write_us / hop_us:.1f}x; spend_today() over {args.writes + 50} rows: {spend * 1e6:.0f} us")


if __name__ == "__main__":
    main()
