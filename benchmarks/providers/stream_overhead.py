"""What the provider adapters add on top of plain httpx, per streamed answer, on a loopback fake.

    python benchmarks/providers/stream_overhead.py [--repeat 200] [--words 200]

Run from the repo root (it uses tests/fakes). Each case streams the same answer (`--words`
words, one SSE event each) from a fake server in this process. The baseline reads the same
stream with a bare httpx.AsyncClient (lines only, no parsing): the least any client must do.
Prints median and p95 milliseconds per answer and the ratio to the baseline medians.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx  # noqa: E402

from codefloor.config import Endpoint  # noqa: E402
from codefloor.providers.anthropic import AnthropicProvider  # noqa: E402
from codefloor.providers.gemini import GeminiProvider  # noqa: E402
from codefloor.providers.openai_compat import OpenAICompatProvider  # noqa: E402
from codefloor.providers.types import ChatRequest, Message  # noqa: E402
from tests.fakes import FakeServer  # noqa: E402

REQUEST = ChatRequest((Message("user", "Write something long."),), max_tokens=512)
BODY = {"model": "m", "messages": [{"role": "user", "content": "Write something long."}], "stream": True}


async def timed(fn: Callable[[], Awaitable[object]], repeat: int) -> list[float]:
    await fn()  # warm the connection pool
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def main(repeat: int, words: int) -> None:
    text = " ".join(f"word{i}" for i in range(words))
    fakes = {wire: FakeServer(wire, text=text).start() for wire in ("openai", "anthropic", "gemini")}
    try:
        raw_client = httpx.AsyncClient()

        async def baseline() -> None:
            url = fakes["openai"].url + "/v1/chat/completions"
            async with raw_client.stream("POST", url, json=BODY) as response:
                async for _ in response.aiter_lines():
                    pass

        def endpoint(provider: str, wire: str, url: str) -> Endpoint:
            return Endpoint(provider, wire, url, "sk-bench-0000000000", 30.0, 5.0)  # type: ignore[arg-type]

        adapters = {
            "OpenAICompatProvider.stream_chat": OpenAICompatProvider(endpoint("openai", "openai", fakes["openai"].url + "/v1")),
            "AnthropicProvider.stream_chat": AnthropicProvider(endpoint("anthropic", "anthropic", fakes["anthropic"].url)),
            "GeminiProvider.stream_chat": GeminiProvider(endpoint("gemini", "gemini", fakes["gemini"].url)),
        }

        def run(adapter) -> Callable[[], Awaitable[object]]:
            async def once() -> None:
                async for _ in adapter.stream_chat("m", REQUEST):
                    pass
            return once

        rows = [("httpx stream + aiter_lines, openai wire (baseline)", await timed(baseline, repeat))]
        for name, adapter in adapters.items():
            rows.append((name, await timed(run(adapter), repeat)))
        base = statistics.median(rows[0][1])
        print(f"{repeat} runs, {words} streamed words per answer")
        print("| case | median ms | p95 ms | × baseline |\n|---|---:|---:|---:|")
        for name, samples in rows:
            median = statistics.median(samples)
            p95 = statistics.quantiles(samples, n=20)[-1]
            print(f"| {name} | {median:.2f} | {p95:.2f} | {median / base:.2f} |")
        await raw_client.aclose()
        for adapter in adapters.values():
            await adapter.aclose()
    finally:
        for fake in fakes.values():
            fake.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--words", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.repeat, args.words))
