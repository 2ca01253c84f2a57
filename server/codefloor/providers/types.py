"""The one normalised request / response / stream-chunk / usage shape every adapter speaks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal, Protocol


@dataclass(frozen=True, slots=True)
class Message:
    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True, slots=True)
class ChatRequest:
    messages: tuple[Message, ...]
    max_tokens: int = 1024
    temperature: float = 0.2
    stop: tuple[str, ...] = ()
    # "low" | "medium" | "high": the reasoning setting the model's coding score was measured at.
    # Adapters whose API takes it send it; None = the provider's default.
    reasoning_effort: str | None = None


@dataclass(frozen=True, slots=True)
class FimRequest:
    """Fill-in-the-middle: the model writes what goes between prefix and suffix."""

    prefix: str
    suffix: str
    max_tokens: int = 128
    temperature: float = 0.0
    stop: tuple[str, ...] = ()


GenerationRequest = ChatRequest | FimRequest


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int
    output_tokens: int
    cost_usd: float | None = None  # when the provider reports it (OpenRouter does)


@dataclass(frozen=True, slots=True)
class StreamChunk:
    """A piece of a streamed answer. The last chunk of a complete stream has finish_reason set;
    usage may arrive on any chunk (often the last)."""

    text: str = ""
    usage: Usage | None = None
    finish_reason: str | None = None


class Provider(Protocol):
    """One wire format bound to one endpoint and key. Adapters raise only ProviderError subclasses
    (codefloor.providers.errors) and never put a key into an exception text."""

    name: str  # provider name, e.g. "openai", "openrouter", "embedded"

    def stream_chat(self, model: str, request: ChatRequest) -> AsyncIterator[StreamChunk]: ...

    def stream_fim(self, model: str, request: FimRequest) -> AsyncIterator[StreamChunk]:
        """Native FIM. Adapters without a FIM endpoint raise FimNotSupported."""
        ...

    async def aclose(self) -> None: ...
