"""The real llama.cpp: the OpenAI-compatible adapter against llama.cpp's own HTTP server
(tests/llamacpp/server.py), and the embedded in-process adapter, both on the SmolLM2 GGUF that
codefloor[local] fetches on first use."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from codefloor.config import EmbeddedConfig, UserConfig
from codefloor.providers import ProviderSet
from codefloor.providers import errors as e
from codefloor.providers.llamacpp import LlamaCppProvider
from codefloor.providers.openai_compat import OpenAICompatProvider
from codefloor.providers.types import ChatRequest, FimRequest, Message
from tests.providers.streams import collect, endpoint

pytestmark = pytest.mark.llamacpp

QUESTION = ChatRequest(
    (Message("system", "You are a helpful assistant."), Message("user", "What is the capital of France?")),
    max_tokens=40, temperature=0.0,
)
LONG_ANSWER = ChatRequest((Message("user", "Write a long story about a robot who learns to paint."),),
                          max_tokens=400, temperature=0.0)


@pytest.fixture(scope="module")
def embedded(embedded_gguf: Path) -> Iterator[LlamaCppProvider]:
    provider = LlamaCppProvider(embedded_gguf, EmbeddedConfig(n_threads=1))
    yield provider
    asyncio.run(provider.aclose())


# --- the OpenAI-compatible adapter against the real llama.cpp server ----------------------------

async def test_openai_adapter_streams_from_the_real_llamacpp_server(llamacpp_server):
    provider = OpenAICompatProvider(endpoint("openai", llamacpp_server, None, timeout_s=120))
    try:
        result = await collect(provider.stream_chat("smollm2", QUESTION))
    finally:
        await provider.aclose()
    assert "Paris" in result.text
    assert len([c for c in result.chunks if c.text]) > 2  # really streamed
    assert result.final.finish_reason == "stop"


async def test_provider_set_reaches_the_server_through_the_base_url_variable(llamacpp_server):
    env = {"OPENAI_API_KEY": "sk-local-not-checked-1234", "CODEFLOOR_OPENAI_BASE_URL": llamacpp_server}
    providers = ProviderSet(UserConfig(), env)
    try:
        result = await collect(providers.get("openai").stream_chat("smollm2", QUESTION))
    finally:
        await providers.aclose()
    assert "Paris" in result.text


async def test_real_server_without_native_fim_gets_fim_through_chat(llamacpp_server):
    from codefloor.providers.fim import stream_fim_via_chat

    provider = OpenAICompatProvider(endpoint("openai", llamacpp_server, None, timeout_s=120))
    try:
        with pytest.raises(e.FimNotSupported):
            await collect(provider.stream_fim("smollm2", FimRequest("x = ", "\n")))
        result = await collect(stream_fim_via_chat(provider, "smollm2", FimRequest("x = ", "\n", max_tokens=16)))
    finally:
        await provider.aclose()
    assert result.final.finish_reason in ("stop", "length") and "```" not in result.text


async def test_embedded_and_server_agree_on_a_greedy_answer(llamacpp_server, embedded):
    """Same GGUF, same chat template, temperature 0: the in-process adapter must say what the server says."""
    server = OpenAICompatProvider(endpoint("openai", llamacpp_server, None, timeout_s=120))
    try:
        over_http = await collect(server.stream_chat("smollm2", QUESTION))
    finally:
        await server.aclose()
    in_process = await collect(embedded.stream_chat("smollm2", QUESTION))
    assert in_process.text == over_http.text


# --- the embedded adapter -----------------------------------------------------------------------

async def test_embedded_streams_and_counts_tokens(embedded):
    result = await collect(embedded.stream_chat("smollm2", QUESTION))
    assert "Paris" in result.text and len([c for c in result.chunks if c.text]) > 2
    usage = result.final.usage
    assert usage.input_tokens > 10 and 0 < usage.output_tokens <= 40 and usage.cost_usd == 0.0


async def test_embedded_generation_runs_off_the_event_loop(embedded):
    await collect(embedded.stream_chat("smollm2", QUESTION))  # make sure the model is loaded
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    started = time.perf_counter()
    await collect(embedded.stream_chat("smollm2", ChatRequest(LONG_ANSWER.messages, max_tokens=30)))
    elapsed = time.perf_counter() - started
    task.cancel()
    # The loop kept ticking during generation (a blocked loop would tick ~0 times).
    assert ticks >= 0.3 * elapsed / 0.01


async def test_cancelling_stops_generation_within_a_token(embedded):
    before = embedded.tokens_generated
    first_text = asyncio.Event()

    async def consume() -> None:
        async for chunk in embedded.stream_chat("smollm2", LONG_ANSWER):
            if chunk.text:
                first_text.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first_text.wait(), 60)
    task.cancel()
    started = time.perf_counter()
    with pytest.raises(asyncio.CancelledError):
        await task
    stopped_in = time.perf_counter() - started
    count = embedded.tokens_generated
    await asyncio.sleep(0.3)
    assert embedded.tokens_generated == count  # nothing is generated behind our back
    assert count - before < 100 and stopped_in < 2.0  # a 400-token answer takes far longer


async def test_a_queued_request_can_be_cancelled_while_another_generates(embedded):
    """One generation at a time; a request waiting its turn must not wait for the other to finish."""
    running = asyncio.Event()

    async def consume(request: ChatRequest, started: asyncio.Event | None = None) -> None:
        async for chunk in embedded.stream_chat("smollm2", request):
            if started is not None and chunk.text:
                started.set()

    first = asyncio.create_task(consume(LONG_ANSWER, running))
    await asyncio.wait_for(running.wait(), 60)
    queued = asyncio.create_task(consume(QUESTION))
    await asyncio.sleep(0.2)
    queued.cancel()
    started = time.perf_counter()
    with pytest.raises(asyncio.CancelledError):
        await queued
    waited = time.perf_counter() - started
    assert not first.done()  # the first generation was still running all along
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert waited < 2.0


async def test_closing_the_stream_early_frees_the_model_for_the_next_request(embedded):
    stream = embedded.stream_chat("smollm2", LONG_ANSWER)
    async for chunk in stream:
        if chunk.text:
            break
    await stream.aclose()
    result = await asyncio.wait_for(collect(embedded.stream_chat("smollm2", QUESTION)), 60)
    assert "Paris" in result.text


async def test_embedded_fim_goes_through_the_chat_prompt(embedded):
    result = await collect(embedded.stream_fim("smollm2", FimRequest("def add(a, b):\n    return ", "\n", max_tokens=12)))
    assert result.final.usage.input_tokens > 20 and result.final.finish_reason in ("stop", "length")


async def test_prompt_larger_than_the_context_is_context_too_long(embedded_gguf):
    small = LlamaCppProvider(embedded_gguf, EmbeddedConfig(n_ctx=256, n_threads=1))
    try:
        with pytest.raises(e.ContextTooLong, match="n_ctx"):
            await collect(small.stream_chat("smollm2", ChatRequest((Message("user", "word " * 400),), max_tokens=8)))
    finally:
        await small.aclose()


async def test_missing_model_file_is_a_clear_error(tmp_path):
    provider = LlamaCppProvider(tmp_path / "nope.gguf")
    with pytest.raises(e.ProviderError, match=r"no GGUF model file found at .*nope\.gguf -- fix \[embedded\] model_path"):
        await collect(provider.stream_chat("smollm2", QUESTION))


def test_embedded_model_writes_nothing_to_stdout():
    """`codefloor serve` speaks LSP on stdout: loading and running llama.cpp must not print there."""
    import subprocess
    import sys

    code = (
        "import asyncio\n"
        "from codefloor.config import UserConfig\n"
        "from codefloor.providers import ProviderSet\n"
        "from codefloor.providers.types import ChatRequest, Message\n"
        "async def main():\n"
        "    providers = ProviderSet(UserConfig(), {})\n"
        "    request = ChatRequest((Message('user', 'Say hi.'),), max_tokens=8)\n"
        "    async for _ in providers.get('embedded').stream_chat('smollm2', request):\n"
        "        pass\n"
        "    await providers.aclose()\n"
        "asyncio.run(main())\n"
        "print('DONE')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == "DONE\n"


async def test_the_embedded_models_load_is_not_learned_as_its_completion_latency(embedded_gguf, tmp_path):
    """The first completion on the embedded route waits for the model to load; taking that for the
    route's latency would push the only model of a local-only folder out of completions. Only the
    second, warm, answer is learned (and recorded as the first token's time)."""
    from codefloor.config import EmbeddedConfig, UserConfig
    from codefloor.ledger import Ledger
    from codefloor.router import Router
    from codefloor.selection import Preferences, Request, TaskKind
    from tests.unit.router.scripted import card, catalog

    config = UserConfig(embedded=EmbeddedConfig(model_path=str(embedded_gguf), n_threads=1, n_ctx=2048))
    local = card("local", 60, "embedded", 0.0, 0.0)
    ledger = Ledger(tmp_path / "usage.sqlite3")
    router = Router(catalog(local), config, frozenset({"embedded"}), env={}, providers=ProviderSet(config, {}), ledger=ledger)
    fim = FimRequest(prefix="def add(a, b):\n    return ", suffix="\n", max_tokens=4)
    request, prefs = Request(TaskKind.COMPLETION, 20, 4), Preferences(min_coding_score=50, max_latency_ms=60_000)
    key = local.routes[0].key
    try:
        cold = await router.run(fim, request, prefs, folder="/p")
        assert cold.attempts[0].first_token_ms is None and key not in router.latency.learned
        warm = await router.run(fim, request, prefs, folder="/p")
        assert warm.attempts[0].first_token_ms is not None and router.latency.learned[key].count == 1
        assert [r["first_token_ms"] is None for r in ledger.rows()] == [True, False]
    finally:
        await router.aclose()
        ledger.close()
