"""The fake provider as a subprocess (how the language-server end-to-end tests use it)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from codefloor.providers import errors as e
from codefloor.providers.gemini import GeminiProvider
from tests.fakes import FakeProcess
from tests.fakes import behaviour as b
from tests.providers.streams import CHAT, TEST_KEY, collect, endpoint


@pytest.fixture(scope="module")
def gemini_process():
    with FakeProcess("gemini", text="from a subprocess") as fake:
        yield fake


async def test_subprocess_fake_is_scripted_over_its_control_endpoint(gemini_process):
    gemini_process.reset()
    gemini_process.script(b.rate_limited("9"), b.ok("second try"))
    provider = GeminiProvider(endpoint("gemini", gemini_process.url))
    try:
        with pytest.raises(e.RateLimited) as caught:
            await collect(provider.stream_chat("gemini-2.5-flash", CHAT))
        again = await collect(provider.stream_chat("gemini-2.5-flash", CHAT))
        default = await collect(provider.stream_chat("gemini-2.5-flash", CHAT))
    finally:
        await provider.aclose()
    assert caught.value.retry_after == 9 and again.text == "second try" and default.text == "from a subprocess"
    recorded = gemini_process.requests
    assert [r.behaviour for r in recorded] == ["status", "ok", "ok"]
    assert all(TEST_KEY not in json.dumps(r.to_json()) for r in recorded)  # keys are masked in the record
    assert recorded[0].body["contents"][-1]["parts"][0]["text"] == "Say hello."


def test_control_endpoint_rejects_unknown_behaviour_fields(gemini_process):
    request = urllib.request.Request(gemini_process.url + "/_fake/script", method="POST",
                                     data=json.dumps({"behaviours": [{"kind": "ok", "colour": "red"}]}).encode())
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 400 and "colour" in caught.value.read().decode()


async def test_subprocess_fake_records_an_early_disconnect(gemini_process):
    gemini_process.reset()
    gemini_process.set_text("one two three four five six seven eight")
    gemini_process.script(b.drip(100))
    provider = GeminiProvider(endpoint("gemini", gemini_process.url))
    stream = provider.stream_chat("m", CHAT)
    async for chunk in stream:
        if chunk.text:
            break
    await stream.aclose()
    await provider.aclose()
    assert gemini_process.wait_idle()
    gemini_process.set_text("from a subprocess")
    assert gemini_process.requests[-1].disconnected
