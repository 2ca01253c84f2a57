"""OpenAI-compatible chat completions (OpenAI, OpenRouter, DeepSeek, Mistral, xAI, Ollama /v1,
llama.cpp server, vLLM, any compatible endpoint) plus the native FIM endpoints some of them have.

FIM styles: Mistral /v1/fim/completions (codestral), DeepSeek /beta/completions (prompt + suffix),
Ollama /api/generate with suffix (NDJSON). Every other provider raises FimNotSupported and the
router falls back to fim.fim_as_chat().
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from codefloor.config import Endpoint
from codefloor.providers import _http
from codefloor.providers import errors as e
from codefloor.providers.types import ChatRequest, FimRequest, StreamChunk, Usage

FimStyle = Literal["mistral", "deepseek", "ollama"] | None
ATTRIBUTION_URL = "https://github.com/codefloor/codefloor"
ATTRIBUTION_TITLE = "codefloor"


@dataclass(frozen=True)
class Dialect:
    """How one OpenAI-compatible provider differs from OpenAI."""

    chat_path: str = "/chat/completions"
    stream_usage: bool = True  # accepts stream_options.include_usage
    fim: FimStyle = None
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    extra_body: Mapping[str, Any] = field(default_factory=dict)
    # Reasoning models (by model-name prefix) reject some sampling fields with a 400.
    reasoning_prefixes: tuple[str, ...] = ()
    reasoning_drops: frozenset[str] = frozenset()
    reasoning_max_tokens_field: str = "max_tokens"
    # How the API takes a reasoning effort: OpenAI's top-level field, OpenRouter's object, or not at all.
    effort_style: Literal["reasoning_effort", "reasoning_object"] | None = None

    def is_reasoning(self, model: str) -> bool:
        return model.startswith(self.reasoning_prefixes) and not model.startswith("gpt-5-chat")


DIALECTS: dict[str, Dialect] = {
    # o-series and gpt-5 accept only the default temperature, no stop, and max_completion_tokens.
    # Other models keep max_tokens, which OpenAI-compatible servers (llama.cpp, vLLM) understand.
    "openai": Dialect(
        reasoning_prefixes=("o1", "o3", "o4", "gpt-5"),
        reasoning_drops=frozenset({"temperature", "stop"}),
        reasoning_max_tokens_field="max_completion_tokens",
        effort_style="reasoning_effort",
    ),
    # grok reasoning models reject stop sequences.
    "xai": Dialect(reasoning_prefixes=("grok-4", "grok-3-mini", "grok-code"), reasoning_drops=frozenset({"stop"})),
    # Mistral answers usage in the last chunk by itself and rejects unknown fields.
    "mistral": Dialect(stream_usage=False, fim="mistral"),
    "deepseek": Dialect(fim="deepseek"),
    # OpenRouter: attribution headers; usage.include asks for usage with cost in the last chunk.
    "openrouter": Dialect(
        extra_headers={"HTTP-Referer": ATTRIBUTION_URL, "X-Title": ATTRIBUTION_TITLE},
        extra_body={"usage": {"include": True}},
        effort_style="reasoning_object",
    ),
    # Ollama's base URL is the server root; its OpenAI API lives under /v1.
    "ollama": Dialect(chat_path="/v1/chat/completions", fim="ollama"),
}


class OpenAICompatProvider(_http.HttpProvider):
    def __init__(
        self,
        endpoint: Endpoint,
        *,
        dialect: Dialect | None = None,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(endpoint, client=client, transport=transport)
        self.dialect = dialect or DIALECTS.get(endpoint.provider, Dialect())

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "text/event-stream", **self.dialect.extra_headers}
        if self.endpoint.api_key:
            headers["Authorization"] = f"Bearer {self.endpoint.api_key}"
        return headers

    async def stream_chat(self, model: str, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        body: dict[str, Any] = {
            "model": model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": True,
            **self.dialect.extra_body,
        }
        if request.stop:
            body["stop"] = list(request.stop)
        if self.dialect.stream_usage:
            body["stream_options"] = {"include_usage": True}
        if self.dialect.is_reasoning(model):
            for name in self.dialect.reasoning_drops:
                body.pop(name, None)
            body[self.dialect.reasoning_max_tokens_field] = body.pop("max_tokens")
        if request.reasoning_effort and self.dialect.effort_style == "reasoning_object":
            body["reasoning"] = {"effort": request.reasoning_effort}
        elif request.reasoning_effort and self.dialect.effort_style and self.dialect.is_reasoning(model):
            body["reasoning_effort"] = request.reasoning_effort
        url = self.endpoint.base_url + self.dialect.chat_path
        async for chunk in self._stream_sse(url, body):
            yield chunk

    async def stream_fim(self, model: str, request: FimRequest) -> AsyncIterator[StreamChunk]:
        style = self.dialect.fim
        if style is None:
            raise e.FimNotSupported(f"{self.name} has no fill-in-the-middle endpoint", provider=self.name)
        if style == "ollama":
            async for chunk in self._stream_ollama_generate(model, request):
                yield chunk
            return
        body: dict[str, Any] = {
            "model": model,
            "prompt": request.prefix,
            "suffix": request.suffix,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": True,
        }
        if request.stop:
            body["stop"] = list(request.stop)
        if style == "deepseek":
            body["stream_options"] = {"include_usage": True}
            url = _api_root(self.endpoint.base_url) + "/beta/completions"
        else:
            url = self.endpoint.base_url + "/fim/completions"
        async for chunk in self._stream_sse(url, body):
            yield chunk

    async def _stream_sse(self, url: str, body: Mapping[str, Any]) -> AsyncIterator[StreamChunk]:
        """Chat-completion chunks (delta.content) or completion chunks (text) until [DONE]."""
        finish: str | None = None
        usage: Usage | None = None
        saw_choice = saw_event = False
        done = False
        async with self._post_stream(url, body, self._headers()) as response:
            async for event in _http.sse_events(response):
                saw_event = True
                # Read on to the end of the body even after [DONE], so the connection goes back to the pool.
                if done or event.data.strip() == "[DONE]":
                    done = True
                    continue
                payload = _http.parse_json(self.name, event.data)
                if not isinstance(payload, dict):
                    raise e.MalformedResponse(f"{self.name} sent an unexpected stream event", provider=self.name)
                if payload.get("error"):
                    raise _http.error_in_stream(self.name, payload)
                if payload.get("usage"):
                    usage = _usage(self.name, payload["usage"]) or usage
                for choice in payload.get("choices") or ():
                    saw_choice = True
                    text = _choice_text(choice)
                    if text:
                        yield StreamChunk(text=text)
                    finish = choice.get("finish_reason") or finish
        if not saw_event:  # e.g. llama.cpp's server when the prompt exceeds its context
            raise e.MalformedResponse(f"{self.name} sent an empty stream (no events)", provider=self.name)
        if not saw_choice:
            raise e.MalformedResponse(f"{self.name} answered with no choices", provider=self.name)
        if finish is None and not done:
            raise _http.interrupted(self.name, "its finish marker")
        yield StreamChunk(usage=usage, finish_reason=finish or "stop")

    async def _stream_ollama_generate(self, model: str, request: FimRequest) -> AsyncIterator[StreamChunk]:
        """Ollama's native /api/generate with suffix: one JSON object per line, the last has done=true."""
        options: dict[str, Any] = {"num_predict": request.max_tokens, "temperature": request.temperature}
        if request.stop:
            options["stop"] = list(request.stop)
        body = {"model": model, "prompt": request.prefix, "suffix": request.suffix, "stream": True, "options": options}
        url = self.endpoint.base_url + "/api/generate"
        final: StreamChunk | None = None
        async with self._post_stream(url, body, {"Accept": "application/x-ndjson"}) as response:
            async for line in response.aiter_lines():
                if final is not None or not line.strip():
                    continue  # drain to the end so the connection is reused
                payload = _http.parse_json(self.name, line)
                if not isinstance(payload, dict):
                    raise e.MalformedResponse(f"{self.name} sent an unexpected stream line", provider=self.name)
                if payload.get("error"):
                    raise _http.error_in_stream(self.name, payload)
                if payload.get("response"):
                    yield StreamChunk(text=str(payload["response"]))
                if payload.get("done"):
                    usage = Usage.reported(self.name, payload.get("prompt_eval_count"), payload.get("eval_count"))
                    final = StreamChunk(usage=usage, finish_reason=str(payload.get("done_reason") or "stop"))
        if final is None:
            raise _http.interrupted(self.name, '"done": true')
        yield final


def _choice_text(choice: Mapping[str, Any]) -> str:
    delta = choice.get("delta")
    if isinstance(delta, dict):
        return str(delta.get("content") or "")
    return str(choice.get("text") or "")  # completion-style chunks (FIM)


def _usage(provider: str, raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    return Usage.reported(provider, raw.get("prompt_tokens"), raw.get("completion_tokens"), raw.get("cost"))


def _api_root(base_url: str) -> str:
    """DeepSeek's beta endpoints live at the host root even when the base URL ends in /v1."""
    return base_url[: -len("/v1")] if base_url.endswith("/v1") else base_url


__all__ = ["DIALECTS", "Dialect", "OpenAICompatProvider"]
