"""The OpenAI-compatible adapter against the loopback fake: what goes on the wire, what comes back."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from codefloor.providers import errors as e
from codefloor.providers.openai_compat import ATTRIBUTION_TITLE, OpenAICompatProvider
from codefloor.providers.types import FimRequest
from tests.fakes import behaviour as b
from tests.fakes.server import mask_secret
from tests.providers.streams import CHAT, TEST_KEY, collect, endpoint

FIM = FimRequest("def add(a, b):\n    return ", "\n\nprint(add(1, 2))\n", max_tokens=16, stop=("\n\n",))


async def _chat(provider_name: str, fake, base_suffix: str = "/v1", key: str | None = TEST_KEY):
    provider = OpenAICompatProvider(endpoint(provider_name, fake.url + base_suffix, key))
    try:
        return await collect(provider.stream_chat("model-x", CHAT))
    finally:
        await provider.aclose()


async def test_openai_streams_text_and_usage(fake_provider):
    fake = fake_provider("openai", text="def add(a, b):\n    return a + b\n")
    fake.script(b.ok(input_tokens=21, output_tokens=9))
    result = await _chat("openai", fake)
    assert result.text == "def add(a, b):\n    return a + b\n"
    assert len([c for c in result.chunks if c.text]) > 3  # streamed in pieces, not one blob
    assert result.final.finish_reason == "stop"
    assert (result.final.usage.input_tokens, result.final.usage.output_tokens) == (21, 9)
    sent = fake.last
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer " + mask_secret(TEST_KEY)
    assert sent.body["model"] == "model-x" and sent.body["stream"] is True
    assert sent.body["stream_options"] == {"include_usage": True}
    assert sent.body["messages"] == [{"role": "system", "content": "Answer briefly."},
                                     {"role": "user", "content": "Say hello."}]
    assert sent.body["max_tokens"] == 64 and "http-referer" not in sent.headers


async def test_openrouter_sends_attribution_and_reports_cost(fake_provider):
    fake = fake_provider("openai")
    fake.script(b.ok(cost_usd=0.00042))
    result = await _chat("openrouter", fake)
    assert result.final.usage.cost_usd == pytest.approx(0.00042)
    assert fake.last.headers["x-title"] == ATTRIBUTION_TITLE
    assert fake.last.headers["http-referer"].startswith("https://")
    assert fake.last.body["usage"] == {"include": True}


async def test_mistral_gets_no_stream_options_and_usage_comes_on_the_last_chunk(fake_provider):
    fake = fake_provider("openai")
    fake.script(b.ok(input_tokens=5, output_tokens=3))
    result = await _chat("mistral", fake)
    assert "stream_options" not in fake.last.body
    assert (result.final.usage.input_tokens, result.final.usage.output_tokens) == (5, 3)


async def test_ollama_chat_uses_v1_under_the_server_root_without_a_key(fake_provider):
    fake = fake_provider("ollama")
    result = await _chat("ollama", fake, base_suffix="", key=None)
    assert result.text == "Hello from the fake provider."
    assert fake.last.path == "/v1/chat/completions" and "authorization" not in fake.last.headers


async def test_stop_sequences_are_forwarded(fake_provider):
    fake = fake_provider("openai")
    provider = OpenAICompatProvider(endpoint("xai", fake.url + "/v1"))
    request = type(CHAT)(CHAT.messages, max_tokens=8, temperature=0.0, stop=("```",))
    await collect(provider.stream_chat("grok", request))
    await provider.aclose()
    assert fake.last.body["stop"] == ["```"] and fake.last.body["temperature"] == 0.0


async def test_chunks_arrive_while_the_server_is_still_streaming(fake_provider):
    fake = fake_provider("openai", text="one two three four five six")
    fake.script(b.drip(150))
    provider = OpenAICompatProvider(endpoint("openai", fake.url + "/v1"))
    stream = provider.stream_chat("m", CHAT)
    first = await anext(aiter(stream))
    while not first.text:
        first = await anext(stream)
    assert first.text.strip() == "one"
    assert fake.last.completed is False  # the first word reached us before the answer was finished
    rest = await collect(stream)
    await provider.aclose()
    assert first.text + rest.text == "one two three four five six"


async def test_closing_the_stream_early_disconnects_from_the_server(fake_provider):
    fake = fake_provider("openai", text="a b c d e f g h i j k l")
    fake.script(b.drip(100))
    provider = OpenAICompatProvider(endpoint("openai", fake.url + "/v1"))
    stream = provider.stream_chat("m", CHAT)
    async for chunk in stream:
        if chunk.text:
            break
    await stream.aclose()
    await asyncio.to_thread(fake.wait_idle)
    await provider.aclose()
    assert fake.last.disconnected and not fake.last.completed


async def test_connections_are_reused(fake_provider):
    fake = fake_provider("openai")
    provider = OpenAICompatProvider(endpoint("openai", fake.url + "/v1"))
    for _ in range(3):
        await collect(provider.stream_chat("m", CHAT))
    await provider.aclose()
    assert len(fake.requests) == 3
    assert len({r.client_port for r in fake.requests}) == 1  # one pooled connection served all three


# --- native fill-in-the-middle -------------------------------------------------------------------

async def test_mistral_fim_endpoint(fake_provider):
    fake = fake_provider("openai", text="a + b")
    provider = OpenAICompatProvider(endpoint("mistral", fake.url + "/v1"))
    result = await collect(provider.stream_fim("codestral-latest", FIM))
    await provider.aclose()
    assert result.text == "a + b" and result.final.finish_reason == "stop"
    assert fake.last.path == "/v1/fim/completions"
    assert fake.last.body["prompt"] == FIM.prefix and fake.last.body["suffix"] == FIM.suffix
    assert fake.last.body["stop"] == ["\n\n"] and fake.last.body["max_tokens"] == 16


@pytest.mark.parametrize("base_suffix", ["", "/v1"])
async def test_deepseek_fim_uses_beta_completions_at_the_root(fake_provider, base_suffix):
    fake = fake_provider("openai", text="a + b")
    fake.script(b.ok(input_tokens=12, output_tokens=3))
    provider = OpenAICompatProvider(endpoint("deepseek", fake.url + base_suffix))
    result = await collect(provider.stream_fim("deepseek-chat", FIM))
    await provider.aclose()
    assert result.text == "a + b"
    assert (result.final.usage.input_tokens, result.final.usage.output_tokens) == (12, 3)
    assert fake.last.path == "/beta/completions" and fake.last.body["suffix"] == FIM.suffix


async def test_ollama_fim_uses_api_generate_with_suffix(fake_provider):
    fake = fake_provider("ollama", text="a + b")
    fake.script(b.ok(input_tokens=30, output_tokens=4))
    provider = OpenAICompatProvider(endpoint("ollama", fake.url, None))
    result = await collect(provider.stream_fim("qwen2.5-coder:7b", FIM))
    await provider.aclose()
    assert result.text == "a + b" and result.final.finish_reason == "stop"
    assert (result.final.usage.input_tokens, result.final.usage.output_tokens) == (30, 4)
    body = fake.last.body
    assert fake.last.path == "/api/generate"
    assert (body["prompt"], body["suffix"], body["stream"]) == (FIM.prefix, FIM.suffix, True)
    assert body["options"] == {"num_predict": 16, "temperature": 0.0, "stop": ["\n\n"]}


@pytest.mark.parametrize("name", ["openai", "xai", "openrouter"])
async def test_providers_without_native_fim_say_so(fake_provider, name):
    fake = fake_provider("openai")
    provider = OpenAICompatProvider(endpoint(name, fake.url + "/v1"))
    with pytest.raises(e.FimNotSupported):
        await collect(provider.stream_fim("m", FIM))
    await provider.aclose()
    assert fake.requests == []  # refused locally, nothing sent


async def test_read_timeout_names_the_limit_and_the_setting(fake_provider):
    fake = fake_provider("openai")
    fake.script(b.hang(5))
    provider = OpenAICompatProvider(endpoint("openai", fake.url + "/v1", timeout_s=0.3))
    with pytest.raises(e.ProviderTimeout) as caught:
        await collect(provider.stream_chat("m", CHAT))
    await provider.aclose()
    assert "0.3 s" in str(caught.value) and "[providers.openai].timeout_s" in str(caught.value)


@pytest.mark.parametrize("provider, model, absent, tokens_field", [
    ("openai", "gpt-5-mini", {"temperature", "stop", "max_tokens"}, "max_completion_tokens"),
    ("openai", "o4-mini", {"temperature", "stop", "max_tokens"}, "max_completion_tokens"),
    ("openai", "gpt-5-chat-latest", set(), "max_tokens"),
    ("openai", "gpt-4.1", set(), "max_tokens"),
    ("xai", "grok-4-fast", {"stop"}, "max_tokens"),
    ("xai", "grok-3", set(), "max_tokens"),
])
async def test_reasoning_models_get_only_the_fields_they_accept(fake_provider, provider, model, absent, tokens_field):
    fake = fake_provider("openai")
    adapter = OpenAICompatProvider(endpoint(provider, fake.url + "/v1"))
    request = type(CHAT)(CHAT.messages, max_tokens=99, temperature=0.1, stop=("END",))
    await collect(adapter.stream_chat(model, request))
    await adapter.aclose()
    sent = fake.last.body
    assert absent.isdisjoint(sent) and sent[tokens_field] == 99
    assert ({"temperature", "stop"} - absent) <= set(sent)  # kept where the model accepts them


@pytest.mark.parametrize("provider, model, expected", [
    ("openai", "o4-mini", {"reasoning_effort": "high"}),
    ("openrouter", "openai/o4-mini", {"reasoning": {"effort": "high"}}),
    ("openai", "gpt-4.1", {}),  # not a reasoning model: the field would be a 400
    ("xai", "grok-4", {}),  # xAI's grok-4 takes no effort
])
async def test_reasoning_effort_is_sent_where_the_api_takes_it(fake_provider, provider, model, expected):
    fake = fake_provider("openai")
    adapter = OpenAICompatProvider(endpoint(provider, fake.url + "/v1"))
    await collect(adapter.stream_chat(model, dataclasses.replace(CHAT, reasoning_effort="high")))
    await adapter.aclose()
    sent = fake.last.body
    assert {k: sent[k] for k in ("reasoning_effort", "reasoning") if k in sent} == expected
