"""The one normalised request / response / stream-chunk / usage shape every adapter speaks."""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from codefloor.providers.errors import MalformedResponse

# What a provider may report for one request. No model's window comes near 10 M tokens, and no
# single request costs $1,000; beyond these (or negative, NaN, infinite) the report is not usage.
MAX_REPORTED_TOKENS = 10_000_000
MAX_REPORTED_COST_USD = 1_000.0


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

_SURROGATE = re.compile("[\ud800-\udfff]")


def encodable(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD, so it encodes as UTF-8. An editor can
    send one (JSON "\\ud83d"); httpx could not encode the prompt, and that is a local problem, not a
    provider's. Both are one UTF-16 code unit: positions computed on the document still hold."""
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


def sendable(request: GenerationRequest) -> GenerationRequest:
    """The request with every text encodable (see encodable()); the same object when it already was."""
    if isinstance(request, FimRequest):
        fixed = dataclasses.replace(request, prefix=encodable(request.prefix), suffix=encodable(request.suffix),
                                    stop=tuple(encodable(s) for s in request.stop))
    else:
        fixed = dataclasses.replace(request, messages=tuple(Message(m.role, encodable(m.content)) for m in request.messages),
                                    stop=tuple(encodable(s) for s in request.stop))
    return request if fixed == request else fixed


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int
    output_tokens: int
    cost_usd: float | None = None  # when the provider reports it (OpenRouter does)

    @classmethod
    def reported(cls, provider: str, input_tokens: Any, output_tokens: Any, cost_usd: Any = None) -> "Usage":
        """Usage from a provider's own numbers (JSON values; None/absent = 0 tokens, no cost), checked:
        finite, non-negative, bounded. Anything else is a malformed answer of that attempt, so the
        router falls back -- never an internal error, never negative spend that raises the budget."""
        return cls(
            _reported(provider, "input tokens", input_tokens, MAX_REPORTED_TOKENS, whole=True),
            _reported(provider, "output tokens", output_tokens, MAX_REPORTED_TOKENS, whole=True),
            None if cost_usd is None else _reported(provider, "cost", cost_usd, MAX_REPORTED_COST_USD, whole=False),
        )


def _reported(provider: str, what: str, value: Any, limit: float, *, whole: bool) -> Any:
    if value is None:
        return 0
    try:
        if isinstance(value, bool):
            raise TypeError
        number = float(value)  # ints beyond ~1e308 raise OverflowError; "12" is tolerated
    except (TypeError, ValueError, OverflowError):
        number = math.nan
    if not (math.isfinite(number) and 0 <= number <= limit):
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "..."
        raise MalformedResponse(f"{provider} reported an impossible {what} ({shown}); the answer is not trusted",
                                provider=provider)
    return int(number) if whole else number


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
