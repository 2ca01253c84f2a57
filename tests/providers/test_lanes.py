"""Connection lanes (providers/lanes.py): concurrent streams spread over small pools, each kept
alive, checked through a real adapter against the loopback fake (client_port = the connection)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from codefloor.providers.lanes import PER_LANE, Lanes
from codefloor.providers.openai_compat import OpenAICompatProvider

from tests.fakes import behaviour as b
from tests.providers.streams import CHAT, collect, endpoint


async def _burst(provider: OpenAICompatProvider, n: int) -> list[str]:
    results = await asyncio.gather(*(collect(provider.stream_chat("model-x", CHAT)) for _ in range(n)))
    return [r.text for r in results]


async def test_light_use_stays_on_one_lane_and_reuses_its_connection(fake_provider):
    fake = fake_provider("openai", text="hello")
    provider = OpenAICompatProvider(endpoint("openai", fake.url + "/v1"))
    try:
        for _ in range(5):
            assert await _burst(provider, 1) == ["hello"]
        assert provider._lanes.count == 1
        assert len({r.client_port for r in fake.requests}) == 1  # one warm connection, five requests
    finally:
        await provider.aclose()


async def test_a_burst_opens_lanes_of_at_most_per_lane_streams_and_the_next_burst_reuses_them(fake_provider):
    fake = fake_provider("openai", text="hello")
    fake.set_default(b.drip(30))  # every stream stays open long enough for all to overlap
    provider = OpenAICompatProvider(endpoint("openai", fake.url + "/v1"))
    n = 3 * PER_LANE + 1
    try:
        assert await _burst(provider, n) == ["hello"] * n
        assert provider._lanes.count == 4  # ceil(n / PER_LANE)
        first_ports = {r.client_port for r in fake.requests}
        assert len(first_ports) == n
        fake.reset()
        fake.set_default(b.drip(30))
        assert await _burst(provider, n) == ["hello"] * n
        assert provider._lanes.count == 4
        second_ports = {r.client_port for r in fake.requests}
        # Lanes fill as before and keep every connection alive: no new connection. (On a busy
        # machine some streams of a burst do not overlap and share a connection: fewer ports.)
        assert second_ports <= first_ports
    finally:
        await provider.aclose()


async def test_closing_the_provider_closes_every_lane_and_refuses_new_streams(fake_provider):
    fake = fake_provider("openai", text="hello")
    fake.set_default(b.drip(20))
    provider = OpenAICompatProvider(endpoint("openai", fake.url + "/v1"))
    await _burst(provider, PER_LANE + 1)
    lanes = provider._lanes
    clients = [lane.client for lane in lanes._lanes]
    await provider.aclose()
    assert lanes.is_closed and len(clients) == 2 and all(c.is_closed for c in clients)
    with pytest.raises(RuntimeError, match="closed"):
        async with lanes.stream("POST", fake.url + "/v1/chat/completions"):
            pass


async def test_an_injected_client_is_the_only_lane_and_stays_open(fake_provider):
    fake = fake_provider("openai", text="hello")
    fake.set_default(b.drip(20))
    client = httpx.AsyncClient()
    provider = OpenAICompatProvider(endpoint("openai", fake.url + "/v1"), client=client)
    try:
        assert await _burst(provider, PER_LANE + 5) == ["hello"] * (PER_LANE + 5)
        assert provider._lanes.count == 1
        await provider.aclose()
        assert not client.is_closed  # the caller owns it
    finally:
        await client.aclose()


async def test_a_lane_whose_stream_fails_is_free_again():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    lanes = Lanes(lambda: httpx.AsyncClient(transport=httpx.MockTransport(refuse)), per_lane=1)
    for _ in range(3):
        with pytest.raises(httpx.ConnectError):
            async with lanes.stream("GET", "http://127.0.0.1:9/"):
                pass
    assert lanes.count == 1  # the failed streams gave their place back
    await lanes.aclose()


def test_per_lane_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        Lanes(httpx.AsyncClient, per_lane=0)
