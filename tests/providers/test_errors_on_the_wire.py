"""Every adapter x every scripted fault, against real loopback servers: the right ProviderError,
retryable where the router should fall back, and never the key in the message."""

from __future__ import annotations

import email.utils
import time

import pytest

from codefloor.providers import errors as e
from codefloor.providers.anthropic import AnthropicProvider
from codefloor.providers.gemini import GeminiProvider
from codefloor.providers.openai_compat import OpenAICompatProvider
from codefloor.providers.types import FimRequest
from tests.fakes import behaviour as b
from tests.providers.streams import CHAT, TEST_KEY, collect, endpoint

FIM = FimRequest("def add(a, b):\n    return ", "\n", max_tokens=16)

# target -> (fake wire, adapter factory from the fake's root URL, which stream to call)
TARGETS = {
    "openai-chat": ("openai", lambda url: OpenAICompatProvider(endpoint("openai", url + "/v1", timeout_s=0.5)), "chat"),
    "anthropic": ("anthropic", lambda url: AnthropicProvider(endpoint("anthropic", url, timeout_s=0.5)), "chat"),
    "gemini": ("gemini", lambda url: GeminiProvider(endpoint("gemini", url, timeout_s=0.5)), "chat"),
    "mistral-fim": ("openai", lambda url: OpenAICompatProvider(endpoint("mistral", url + "/v1", timeout_s=0.5)), "fim"),
    "deepseek-fim": ("openai", lambda url: OpenAICompatProvider(endpoint("deepseek", url, timeout_s=0.5)), "fim"),
    "ollama-fim": ("ollama", lambda url: OpenAICompatProvider(endpoint("ollama", url, None, timeout_s=0.5)), "fim"),
}

FAULTS = {
    "429": (b.rate_limited("3"), e.RateLimited),
    "500": (b.server_error(500), e.ServerError),
    "503": (b.server_error(503), e.ServerError),
    "529": (b.overloaded(), e.Overloaded),
    "401": (b.unauthorized(), e.AuthError),
    "context": (b.context_too_long(), e.ContextTooLong),
    "bad-request": (b.status(422, "temperature must be <= 2", error_type="invalid_request_error"), e.BadRequest),
    "malformed": (b.malformed_json(), e.MalformedResponse),
    "cut": (b.cut(after_chunks=2), e.StreamInterrupted),
    "ends-without-finish": (b.cut(after_chunks=2, abrupt=False), e.StreamInterrupted),
    "refused": (b.refuse(), e.ProviderConnectionError),
    "hang": (b.hang(5), e.ProviderTimeout),
    "hang-mid-stream": (b.hang(5, after_chunks=2), e.ProviderTimeout),
}


async def _run(target: str, fake_provider, *behaviours: b.Behaviour):
    wire, make, kind = TARGETS[target]
    fake = fake_provider(wire)
    fake.script(*behaviours)
    provider = make(fake.url)
    try:
        stream = provider.stream_chat("m-1", CHAT) if kind == "chat" else provider.stream_fim("m-1", FIM)
        return await collect(stream), fake
    finally:
        await provider.aclose()


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("target", TARGETS)
async def test_fault_maps_to_its_error(target, fault, fake_provider):
    behaviour, expected = FAULTS[fault]
    with pytest.raises(e.ProviderError) as caught:
        await _run(target, fake_provider, behaviour)
    error = caught.value
    assert type(error) is expected, f"{target}/{fault}: got {type(error).__name__}: {error}"
    assert error.retryable == (expected not in (e.AuthError, e.ContextTooLong, e.BadRequest))
    assert TARGETS[target][0] in error.message or error.provider in error.message  # says who failed
    assert TEST_KEY not in str(error) and TEST_KEY not in repr(error)


@pytest.mark.parametrize("target", TARGETS)
async def test_the_same_adapter_recovers_after_a_fault(target, fake_provider):
    """A broken connection must not poison the pooled client for the next request."""
    wire, make, kind = TARGETS[target]
    fake = fake_provider(wire)
    fake.script(b.cut(after_chunks=1), b.refuse(), b.ok("fine again"))
    provider = make(fake.url)
    try:
        for expected in (e.StreamInterrupted, e.ProviderConnectionError):
            with pytest.raises(expected):
                await collect(provider.stream_chat("m", CHAT) if kind == "chat" else provider.stream_fim("m", FIM))
        done = await collect(provider.stream_chat("m", CHAT) if kind == "chat" else provider.stream_fim("m", FIM))
    finally:
        await provider.aclose()
    assert done.text == "fine again"


@pytest.mark.parametrize("target", ["openai-chat", "anthropic", "gemini"])
async def test_retry_after_is_parsed_from_seconds_and_http_date(target, fake_provider):
    when = email.utils.formatdate(time.time() + 120, usegmt=True)
    for value, low, high in (("7", 7, 7), (when, 100, 121)):
        with pytest.raises(e.RateLimited) as caught:
            await _run(target, fake_provider, b.rate_limited(value))
        assert low <= caught.value.retry_after <= high


@pytest.mark.parametrize("target, expected", [
    ("openai-chat", e.Overloaded), ("anthropic", e.Overloaded), ("mistral-fim", e.Overloaded),
    ("gemini", e.ServerError), ("ollama-fim", e.ServerError),
])
async def test_error_event_inside_a_stream(target, expected, fake_provider):
    with pytest.raises(e.ProviderError) as caught:
        await _run(target, fake_provider, b.stream_error("overloaded_error", "Overloaded", after_chunks=2))
    assert type(caught.value) is expected and caught.value.retryable


@pytest.mark.parametrize("target", ["openai-chat", "gemini", "mistral-fim", "deepseek-fim"])
async def test_empty_choices_is_malformed(target, fake_provider):
    with pytest.raises(e.MalformedResponse) as caught:
        await _run(target, fake_provider, b.empty_choices())
    assert not isinstance(caught.value, e.StreamInterrupted)


@pytest.mark.parametrize("target", TARGETS)
async def test_key_echoed_by_the_provider_is_redacted(target, fake_provider):
    with pytest.raises(e.ProviderError) as caught:
        await _run(target, fake_provider, b.status(500, f"invalid credentials {TEST_KEY} for this project"))
    assert TEST_KEY not in str(caught.value)
    assert "[redacted]" in str(caught.value) and "invalid credentials" in str(caught.value)


async def test_nothing_listening_is_a_connection_error():
    from tests.conftest import free_port

    provider = OpenAICompatProvider(endpoint("openai", f"http://127.0.0.1:{free_port()}/v1"))
    try:
        with pytest.raises(e.ProviderConnectionError) as caught:
            await collect(provider.stream_chat("m", CHAT))
    finally:
        await provider.aclose()
    assert "cannot connect to 127.0.0.1" in str(caught.value)


@pytest.mark.parametrize("target", TARGETS)
async def test_every_adapter_reuses_its_connection(target, fake_provider):
    """Finish markers are read to the end of the body, so the pooled connection is kept."""
    wire, make, kind = TARGETS[target]
    fake = fake_provider(wire)
    provider = make(fake.url)
    try:
        for _ in range(3):
            await collect(provider.stream_chat("m", CHAT) if kind == "chat" else provider.stream_fim("m", FIM))
    finally:
        await provider.aclose()
    assert len({r.client_port for r in fake.requests}) == 1 and len(fake.requests) == 3


WRONG_SHAPES = {
    "openai-chat": 'data: {"choices": {"index": 0}}\n\n',
    "anthropic": 'event: message_start\ndata: {"type": "message_start", "message": "oops"}\n\n',
    "gemini": 'data: {"candidates": [{"content": "not an object"}]}\n\n',
    "mistral-fim": 'data: {"choices": [7]}\n\n',
    "deepseek-fim": 'data: [1, 2]\n\n',
    "ollama-fim": '{"response": "a", "done": true, "eval_count": "many"}\n',
}


@pytest.mark.parametrize("target", TARGETS)
async def test_json_of_the_wrong_shape_is_malformed(target, fake_provider):
    with pytest.raises(e.MalformedResponse) as caught:
        await _run(target, fake_provider, b.raw(WRONG_SHAPES[target]))
    assert not isinstance(caught.value, e.StreamInterrupted)
