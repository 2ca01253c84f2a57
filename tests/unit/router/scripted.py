"""In-process providers that follow a script, for the router's state logic (cooldowns, budget,
reservations, FIM choice). The wire-level fallback tests use the real loopback fakes instead."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import SimpleNamespace

from codefloor.catalog.types import ModelCard, Route
from codefloor.providers.errors import FimNotSupported, ProviderError
from codefloor.providers.types import ChatRequest, FimRequest, StreamChunk, Usage


@dataclass
class Step:
    """One scripted answer: stream `text` in pieces, then finish, fail with `error`, or wait on `gate`."""

    text: str = "answer"
    error: ProviderError | None = None  # raised after the text has streamed
    finish: bool = True
    usage: Usage | None = None
    gate: asyncio.Event | None = None  # wait here (after the first piece) before going on


@dataclass
class ScriptedProvider:
    name: str
    steps: list[Step] = field(default_factory=list)
    calls: list[tuple[str, str, object]] = field(default_factory=list)  # (kind, model, request)
    closed_streams: int = 0
    fim: bool = True

    def stream_chat(self, model: str, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        self.calls.append(("chat", model, request))
        return self._play()

    def stream_fim(self, model: str, request: FimRequest) -> AsyncIterator[StreamChunk]:
        self.calls.append(("fim", model, request))
        if not self.fim:
            return self._refuse_fim()
        return self._play()

    async def _refuse_fim(self) -> AsyncIterator[StreamChunk]:
        raise FimNotSupported("no FIM here", provider=self.name)
        yield StreamChunk()  # pragma: no cover  (makes this an async generator)

    async def _play(self) -> AsyncIterator[StreamChunk]:
        step = self.steps.pop(0) if self.steps else Step()
        try:
            words = step.text.split(" ")
            for index, word in enumerate(words):
                yield StreamChunk(text=word if index == 0 else " " + word)
                if index == 0 and step.gate is not None:
                    await step.gate.wait()
            if step.error is not None:
                raise step.error
            yield StreamChunk(usage=step.usage, finish_reason="stop" if step.finish else None)
        finally:
            self.closed_streams += 1  # what closing the upstream HTTP response looks like here

    async def aclose(self) -> None:
        pass


class ScriptedProviders:
    """Stands in for ProviderSet: get(name) -> the scripted provider of that name."""

    def __init__(self, *names: str) -> None:
        self.by_name = {name: ScriptedProvider(name) for name in names}

    def get(self, name: str) -> ScriptedProvider:
        return self.by_name[name]

    async def aclose(self) -> None:
        pass


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def card(card_id: str, score: float, provider: str, price_in: float, price_out: float, fim: bool = False) -> ModelCard:
    return ModelCard(
        id=card_id,
        display_name=card_id,
        coding_score=score,
        score_source="aider-polyglot",
        context_window=100_000,
        max_output_tokens=8_000,
        capabilities=frozenset({"streaming"} | ({"fim"} if fim else set())),
        routes=(Route(provider=provider, model_name=f"{card_id}-wire", input_price_per_mtok=price_in,
                      output_price_per_mtok=price_out, supports_fim=fim),),
    )


def catalog(*cards: ModelCard) -> SimpleNamespace:
    return SimpleNamespace(cards=tuple(cards))
