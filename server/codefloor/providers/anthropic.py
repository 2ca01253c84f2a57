"""Anthropic Messages API, streamed (SSE).

Events: message_start (input usage), content_block_start/delta/stop (text_delta), message_delta
(stop_reason, output usage), message_stop (the finish marker), ping, error (e.g. overloaded_error).
The system prompt travels in its own field; 529 means overloaded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from codefloor.providers import _http
from codefloor.providers import errors as e
from codefloor.providers.types import ChatRequest, FimRequest, StreamChunk, Usage

API_VERSION = "2023-06-01"


class AnthropicProvider(_http.HttpProvider):
    def _headers(self) -> dict[str, str]:
        headers = {"anthropic-version": API_VERSION, "Accept": "text/event-stream"}
        if self.endpoint.api_key:
            headers["x-api-key"] = self.endpoint.api_key
        return headers

    async def stream_chat(self, model: str, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        body: dict[str, Any] = {
            "model": model,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages if m.role != "system"],
            "stream": True,
        }
        if system:
            body["system"] = system
        if request.stop:
            body["stop_sequences"] = list(request.stop)
        input_tokens: object = 0
        output_tokens: object = 0
        stop_reason: str | None = None
        stopped = False
        async with self._post_stream(self.endpoint.base_url + "/v1/messages", body, self._headers()) as response:
            async for event in _http.sse_events(response):
                if stopped or event.event == "ping":
                    continue  # after message_stop: drain to the end so the connection is reused
                payload = _http.parse_json(self.name, event.data)
                if not isinstance(payload, dict):
                    raise e.MalformedResponse(f"{self.name} sent an unexpected stream event", provider=self.name)
                kind = payload.get("type", event.event)
                if kind == "error":
                    raise _http.error_in_stream(self.name, payload)
                if kind == "message_start":
                    usage = (payload.get("message") or {}).get("usage") or {}
                    input_tokens = usage.get("input_tokens")
                    output_tokens = usage.get("output_tokens")
                elif kind == "content_block_delta":
                    delta = payload.get("delta") or {}
                    if delta.get("type") == "text_delta" and delta.get("text"):
                        yield StreamChunk(text=str(delta["text"]))
                elif kind == "message_delta":
                    stop_reason = (payload.get("delta") or {}).get("stop_reason") or stop_reason
                    usage = payload.get("usage") or {}
                    # message_delta carries the cumulative output count (and input on newer models).
                    output_tokens = usage.get("output_tokens") or output_tokens
                    input_tokens = usage.get("input_tokens") or input_tokens
                elif kind == "message_stop":
                    stopped = True
        if not stopped:
            raise _http.interrupted(self.name, "message_stop")
        usage = Usage.reported(self.name, input_tokens, output_tokens)
        yield StreamChunk(usage=usage, finish_reason=stop_reason or "end_turn")

    async def stream_fim(self, model: str, request: FimRequest) -> AsyncIterator[StreamChunk]:
        raise e.FimNotSupported(f"{self.name} has no fill-in-the-middle endpoint", provider=self.name)
        yield StreamChunk()  # pragma: no cover -- makes this an async generator like the others

