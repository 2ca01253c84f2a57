"""Google Gemini: /v1beta/models/{model}:streamGenerateContent?alt=sse and :generateContent.

The key goes in the x-goog-api-key header, never in the URL (URLs end up in logs).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from codefloor.providers import _http
from codefloor.providers import errors as e
from codefloor.providers.types import ChatRequest, FimRequest, StreamChunk, Usage


class GeminiProvider(_http.HttpProvider):
    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "text/event-stream"}
        if self.endpoint.api_key:
            headers["x-goog-api-key"] = self.endpoint.api_key
        return headers

    def _url(self, model: str, method: str) -> str:
        return f"{self.endpoint.base_url}/v1beta/models/{quote(model, safe='-._')}:{method}"

    async def stream_chat(self, model: str, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        finish: str | None = None
        usage: Usage | None = None
        url = self._url(model, "streamGenerateContent") + "?alt=sse"
        async with self._post_stream(url, _body(request), self._headers()) as response:
            async for event in _http.sse_events(response):
                payload = _http.parse_json(self.name, event.data)
                if not isinstance(payload, dict):
                    raise e.MalformedResponse(f"{self.name} sent an unexpected stream event", provider=self.name)
                text, chunk_finish, chunk_usage = self._read(payload)
                usage = chunk_usage or usage
                if text:
                    yield StreamChunk(text=text)
                finish = chunk_finish or finish
        if finish is None:
            raise _http.interrupted(self.name, "a finishReason")
        yield StreamChunk(usage=usage, finish_reason=finish)

    async def generate(self, model: str, request: ChatRequest) -> StreamChunk:
        """The whole answer in one response (generateContent), as a single final chunk."""
        async with self._post_stream(self._url(model, "generateContent"), _body(request), self._headers()) as response:
            raw = await response.aread()
        payload = _http.parse_json(self.name, raw.decode("utf-8", "replace"))
        if not isinstance(payload, dict):
            raise e.MalformedResponse(f"{self.name} sent an unexpected response", provider=self.name)
        text, finish, usage = self._read(payload)
        if finish is None:
            raise e.MalformedResponse(f"{self.name} answered without a finishReason", provider=self.name)
        return StreamChunk(text=text, usage=usage, finish_reason=finish)

    async def stream_fim(self, model: str, request: FimRequest) -> AsyncIterator[StreamChunk]:
        raise e.FimNotSupported(f"{self.name} has no fill-in-the-middle endpoint", provider=self.name)
        yield StreamChunk()  # pragma: no cover -- makes this an async generator like the others

    def _read(self, payload: dict[str, Any]) -> tuple[str, str | None, Usage | None]:
        """Text, finish reason and usage of one GenerateContentResponse."""
        if payload.get("error"):
            raise _http.error_in_stream(self.name, payload)
        candidates = payload.get("candidates")
        blocked = (payload.get("promptFeedback") or {}).get("blockReason")
        if blocked and not candidates:
            raise e.BadRequest(f"{self.name} blocked the prompt ({blocked})", provider=self.name)
        usage = _usage(self.name, payload.get("usageMetadata"))
        if not candidates:
            if usage is not None:  # a usage-only chunk
                return "", None, usage
            raise e.MalformedResponse(f"{self.name} answered with no candidates", provider=self.name)
        first = candidates[0]
        parts = (first.get("content") or {}).get("parts") or []
        # Thought summaries (thought=true) are not part of the answer.
        text = "".join(str(p.get("text") or "") for p in parts if isinstance(p, dict) and not p.get("thought"))
        finish = first.get("finishReason")
        if finish == "FINISH_REASON_UNSPECIFIED":
            finish = None
        return text, (str(finish).lower() if finish else None), usage


def _body(request: ChatRequest) -> dict[str, Any]:
    system = "\n\n".join(m.content for m in request.messages if m.role == "system")
    body: dict[str, Any] = {
        "contents": [
            {"role": "model" if m.role == "assistant" else "user", "parts": [{"text": m.content}]}
            for m in request.messages
            if m.role != "system"
        ],
        "generationConfig": {"maxOutputTokens": request.max_tokens, "temperature": request.temperature},
    }
    if request.stop:
        body["generationConfig"]["stopSequences"] = list(request.stop)
    if system:
        body["systemInstruction"] = {"parts": [{"text": system}]}
    return body


def _usage(provider: str, raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    # Thinking tokens are billed as output: each count is checked, then the sum.
    candidates = Usage.reported(provider, raw.get("promptTokenCount"), raw.get("candidatesTokenCount"))
    thoughts = Usage.reported(provider, 0, raw.get("thoughtsTokenCount"))
    return Usage.reported(provider, candidates.input_tokens, candidates.output_tokens + thoughts.output_tokens)
