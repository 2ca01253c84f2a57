"""Anthropic Messages and Gemini generateContent adapters against their loopback fakes."""

from __future__ import annotations

import pytest

from codefloor.providers import errors as e
from codefloor.providers.anthropic import API_VERSION, AnthropicProvider
from codefloor.providers.gemini import GeminiProvider
from codefloor.providers.types import ChatRequest, FimRequest, Message
from tests.fakes import behaviour as b
from tests.fakes.server import mask_secret
from tests.providers.streams import CHAT, TEST_KEY, collect, endpoint

DIALOGUE = ChatRequest(
    (Message("system", "Be terse."), Message("user", "2+2?"), Message("assistant", "4"), Message("user", "3+3?")),
    max_tokens=32, temperature=0.0, stop=("\n\n",),
)


async def test_anthropic_streams_text_with_usage_from_start_and_delta(fake_provider):
    fake = fake_provider("anthropic", text="Six, obviously.")
    fake.script(b.ok(input_tokens=40, output_tokens=4))
    provider = AnthropicProvider(endpoint("anthropic", fake.url))
    result = await collect(provider.stream_chat("claude-sonnet-4-5", DIALOGUE))
    await provider.aclose()
    assert result.text == "Six, obviously." and len([c for c in result.chunks if c.text]) == 2
    assert result.final.finish_reason == "end_turn"
    assert (result.final.usage.input_tokens, result.final.usage.output_tokens) == (40, 4)
    sent = fake.last
    assert sent.path == "/v1/messages"
    assert sent.headers["x-api-key"] == mask_secret(TEST_KEY) and "authorization" not in sent.headers
    assert sent.headers["anthropic-version"] == API_VERSION == "2023-06-01"
    assert sent.body["system"] == "Be terse."  # the system prompt travels separately
    assert [m["role"] for m in sent.body["messages"]] == ["user", "assistant", "user"]
    assert sent.body["stop_sequences"] == ["\n\n"] and sent.body["max_tokens"] == 32 and sent.body["stream"]


async def test_anthropic_without_system_prompt_sends_no_system_field(fake_provider):
    fake = fake_provider("anthropic")
    provider = AnthropicProvider(endpoint("anthropic", fake.url))
    await collect(provider.stream_chat("m", ChatRequest((Message("user", "hi"),))))
    await provider.aclose()
    assert "system" not in fake.last.body


async def test_anthropic_529_is_overloaded_and_retryable(fake_provider):
    fake = fake_provider("anthropic")
    fake.script(b.overloaded())
    provider = AnthropicProvider(endpoint("anthropic", fake.url))
    with pytest.raises(e.Overloaded) as caught:
        await collect(provider.stream_chat("m", CHAT))
    await provider.aclose()
    assert caught.value.status_code == 529 and caught.value.retryable
    assert isinstance(caught.value, e.RateLimited)


async def test_anthropic_has_no_native_fim(fake_provider):
    fake = fake_provider("anthropic")
    provider = AnthropicProvider(endpoint("anthropic", fake.url))
    with pytest.raises(e.FimNotSupported):
        await collect(provider.stream_fim("m", FimRequest("a", "b")))
    await provider.aclose()
    assert fake.requests == []


async def test_gemini_streams_with_the_key_in_a_header_not_the_url(fake_provider):
    fake = fake_provider("gemini", text="Six.")
    fake.script(b.ok(input_tokens=11, output_tokens=2))
    provider = GeminiProvider(endpoint("gemini", fake.url))
    result = await collect(provider.stream_chat("gemini-2.5-flash", DIALOGUE))
    await provider.aclose()
    assert result.text == "Six." and result.final.finish_reason == "stop"
    assert (result.final.usage.input_tokens, result.final.usage.output_tokens) == (11, 2)
    sent = fake.last
    assert sent.path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent" and sent.query == "alt=sse"
    assert sent.headers["x-goog-api-key"] == mask_secret(TEST_KEY)
    assert TEST_KEY[-6:] not in sent.query and "key=" not in sent.query
    assert sent.body["systemInstruction"] == {"parts": [{"text": "Be terse."}]}
    assert [c["role"] for c in sent.body["contents"]] == ["user", "model", "user"]
    assert sent.body["contents"][1]["parts"] == [{"text": "4"}]
    assert sent.body["generationConfig"] == {"maxOutputTokens": 32, "temperature": 0.0, "stopSequences": ["\n\n"]}


async def test_gemini_generate_content_returns_the_whole_answer(fake_provider):
    fake = fake_provider("gemini", text="all at once")
    provider = GeminiProvider(endpoint("gemini", fake.url))
    answer = await provider.generate("gemini-2.5-pro", CHAT)
    await provider.aclose()
    assert answer.text == "all at once" and answer.finish_reason == "stop" and answer.usage.output_tokens == 3
    assert fake.last.path == "/v1beta/models/gemini-2.5-pro:generateContent" and fake.last.query == ""


@pytest.mark.parametrize("fault, expected", [
    (b.malformed_json(), e.MalformedResponse), (b.rate_limited("4"), e.RateLimited), (b.unauthorized(), e.AuthError),
])
async def test_gemini_generate_content_errors(fake_provider, fault, expected):
    fake = fake_provider("gemini")
    fake.script(fault)
    provider = GeminiProvider(endpoint("gemini", fake.url))
    with pytest.raises(expected):
        await provider.generate("m", CHAT)
    await provider.aclose()


async def test_gemini_invalid_key_reported_as_400_is_an_auth_error(fake_provider):
    fake = fake_provider("gemini")
    fake.script(b.status(400, "API key not valid. Please pass a valid API key."))
    provider = GeminiProvider(endpoint("gemini", fake.url))
    with pytest.raises(e.AuthError) as caught:
        await collect(provider.stream_chat("m", CHAT))
    await provider.aclose()
    assert "GEMINI_API_KEY" in str(caught.value) and not caught.value.retryable
