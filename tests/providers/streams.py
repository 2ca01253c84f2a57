"""Helpers for provider tests: collect a stream, build an Endpoint with a test key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from codefloor.config import PROVIDERS, Endpoint
from codefloor.providers.errors import register_secret
from codefloor.providers.types import ChatRequest, Message, StreamChunk

# Looks like a real key so the redaction patterns and the registered-secret path are both exercised.
TEST_KEY = "sk-test-9f8e7d6c5b4a39281706"
register_secret(TEST_KEY)

CHAT = ChatRequest((Message("system", "Answer briefly."), Message("user", "Say hello.")), max_tokens=64)


@dataclass
class Collected:
    chunks: list[StreamChunk]

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.chunks)

    @property
    def final(self) -> StreamChunk:
        return self.chunks[-1]


async def collect(stream: AsyncIterator[StreamChunk]) -> Collected:
    return Collected([chunk async for chunk in stream])


def endpoint(provider: str, base_url: str, key: str | None = TEST_KEY, *, timeout_s: float = 2.0,
             connect_timeout_s: float = 1.0) -> Endpoint:
    return Endpoint(provider, PROVIDERS[provider].wire, base_url, key, timeout_s, connect_timeout_s)
