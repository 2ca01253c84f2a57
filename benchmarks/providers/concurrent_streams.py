"""CPU per answer when many answers stream at once: one httpx pool vs the adapters' lanes.

    python benchmarks/providers/concurrent_streams.py [--concurrent 200] [--bursts 5]

Run from the repo root (it uses tests/fakes). The fake provider runs in its own process, so only
this process's CPU (time.process_time) is counted: the client side of `--concurrent` streams of 10
chunks each (~300 ms apiece), started together, `--bursts` times. The baseline is the same adapter
on one httpx client with httpx's usual pool settings (20 connections kept alive, as codefloor did
before lanes); the other case is the adapter as built (lanes of providers/lanes.py). Prints CPU ms
per answer, wall seconds per burst, new connections, and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx  # noqa: E402

from codefloor.config import Endpoint  # noqa: E402
from codefloor.providers.openai_compat import OpenAICompatProvider  # noqa: E402
from codefloor.providers.types import ChatRequest, Message  # noqa: E402
from tests.fakes import behaviour as b  # noqa: E402
from tests.fakes.process import FakeProcess  # noqa: E402

REQUEST = ChatRequest((Message("user", "Write the body."),), max_tokens=256)
TEXT = " ".join(f"w{i}" for i in range(9))  # 10 SSE events with the usage chunk
DRIP_MS = 33


async def bursts(provider: OpenAICompatProvider, concurrent: int, count: int) -> tuple[list[float], list[float]]:
    async def one() -> None:
        async for _ in provider.stream_chat("m", REQUEST):
            pass

    await asyncio.gather(*(one() for _ in range(concurrent)))  # warm: connections, imports, TLS context
    cpu_ms, wall_s = [], []
    for _ in range(count):
        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(one() for _ in range(concurrent)))
        cpu_ms.append((time.process_time() - cpu) * 1000 / concurrent)
        wall_s.append(time.perf_counter() - wall)
    return cpu_ms, wall_s


async def main(concurrent: int, count: int) -> None:
    with FakeProcess("openai", text=TEXT) as fake:
        fake.set_default(b.drip(DRIP_MS))
        endpoint = Endpoint("openai", "openai", fake.url + "/v1", "sk-bench-0000000000", 30.0, 5.0)  # type: ignore[arg-type]
        one_pool = httpx.AsyncClient(timeout=30.0, limits=httpx.Limits(max_connections=None, max_keepalive_connections=20))
        cases = {
            "one httpx pool, 20 kept alive (baseline)": OpenAICompatProvider(endpoint, client=one_pool),
            "lanes (as built)": OpenAICompatProvider(endpoint),
        }
        rows = []
        for name, provider in cases.items():
            seen = len(fake.requests)
            cpu_ms, wall_s = await bursts(provider, concurrent, count)
            ports = {r.client_port for r in fake.requests[seen + concurrent:]}  # after the warm-up burst
            rows.append((name, statistics.median(cpu_ms), statistics.median(wall_s), len(ports), count * concurrent))
            await provider.aclose()
        await one_pool.aclose()
    base = rows[0][1]
    print(f"{concurrent} concurrent streams x {count} bursts, 10 chunks {DRIP_MS} ms apart; fake in its own process")
    print("| case | CPU ms per answer (median burst) | wall s per burst | connections used | × baseline CPU |")
    print("|---|---:|---:|---:|---:|")
    for name, cpu, wall, ports, answers in rows:
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | {ports} for {answers} answers | {cpu / base:.2f} |")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrent", type=int, default=200)
    parser.add_argument("--bursts", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.concurrent, args.bursts))
