"""A lone surrogate in a document is a local encoding problem (issue 13, item 8): the prompt is made
encodable (U+FFFD) before it is sent, no route cools down, and the next request is unaffected."""

from __future__ import annotations

import pytest

from codefloor.providers import errors as e
from codefloor.providers.openai_compat import OpenAICompatProvider
from codefloor.providers.types import ChatRequest, FimRequest, Message
from tests.providers.streams import collect, endpoint

from .test_router_loopback import PREFS, REQUEST, wired  # noqa: F401  (fixture)

LONE = "def greet():\n    return '\ud83d'\n"


@pytest.mark.parametrize("kind", ["chat", "fim"])
async def test_a_lone_surrogate_is_sent_as_u_fffd_and_cools_nothing(wired, kind):  # noqa: F811
    router, openai, anthropic, ledger, _ = wired
    generation = (ChatRequest((Message("user", LONE),), max_tokens=64) if kind == "chat"
                  else FimRequest(prefix=LONE, suffix="\n", max_tokens=16))
    try:
        first = await router.run(generation, REQUEST, PREFS)
        assert first.served_by.card.id == "cheap"  # not skipped to the dearer model
        assert [a.outcome for a in first.attempts] == ["ok"]
        assert router.health().unavailable_routes == frozenset()
        sent = str(openai.requests[0].body)
        assert "\ufffd" in sent and "\ud83d" not in sent
        again = await router.run(ChatRequest((Message("user", "clean"),), max_tokens=64), REQUEST, PREFS)
        assert again.served_by.card.id == "cheap" and len(anthropic.requests) == 0
    finally:
        await router.aclose()


async def test_an_unencodable_request_is_a_local_bad_request_not_a_provider_fault(fake_provider):
    """Below the router (which sanitises first), the adapter still tells a local encoding error
    from a provider's malformed answer: BadRequest, not retryable, so nothing cools down."""
    fake = fake_provider("openai")
    provider = OpenAICompatProvider(endpoint("openai", fake.url + "/v1"))
    try:
        with pytest.raises(e.BadRequest) as caught:
            await collect(provider.stream_chat("m-1", ChatRequest((Message("user", LONE),))))
        assert not caught.value.retryable and "nothing was sent" in caught.value.message
        assert fake.requests == []
    finally:
        await provider.aclose()
