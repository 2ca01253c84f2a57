"""The bytes each provider wire format puts on the wire, for the fake server.

Every streamed answer is a list of frames (one SSE event or NDJSON line each) so behaviours can
cut, corrupt or slow a stream at any frame.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

Frames = list[bytes]
WIRES = ("openai", "anthropic", "gemini", "ollama")


@dataclass(frozen=True)
class Answer:
    text: str
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float | None
    body: dict[str, Any]  # the parsed request, for formats that echo options back

    @property
    def pieces(self) -> list[str]:
        return split_pieces(self.text)


def split_pieces(text: str) -> list[str]:
    """Word-sized stream pieces that join back to exactly `text`."""
    return re.findall(r"\S+\s*|\s+", text)


def sse(payload: Any, event: str | None = None) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(payload)}\n\n".encode()


def ndjson(payload: Any) -> bytes:
    return (json.dumps(payload) + "\n").encode()


@dataclass(frozen=True)
class Format:
    """One endpoint's dialect: how a success, an empty answer, a corrupt frame and errors look."""

    name: str
    content_type: str
    frames: Callable[[Answer], Frames]
    empty: Callable[[Answer], Frames]
    malformed: bytes
    error_event: Callable[[str, str], bytes]  # (error_type, message)
    error_body: Callable[[int, str, str], dict[str, Any]]  # (status, error_type, message)
    whole: Callable[[Answer], dict[str, Any]] | None = None  # non-streamed answer


# --- OpenAI-compatible -------------------------------------------------------------------------

def _openai_chunk(answer: Answer, choices: list[dict[str, Any]], obj: str = "chat.completion.chunk") -> dict:
    return {"id": "fake-1", "object": obj, "created": 0, "model": answer.model, "choices": choices}


def _openai_usage(answer: Answer) -> dict[str, Any]:
    usage: dict[str, Any] = {
        "prompt_tokens": answer.input_tokens,
        "completion_tokens": answer.output_tokens,
        "total_tokens": answer.input_tokens + answer.output_tokens,
    }
    if answer.cost_usd is not None:
        usage["cost"] = answer.cost_usd
    return usage


def _wants_usage_chunk(body: dict[str, Any]) -> bool:
    return bool((body.get("stream_options") or {}).get("include_usage") or (body.get("usage") or {}).get("include"))


def _openai_frames(text_field: str) -> Callable[[Answer], Frames]:
    """Chat deltas (text_field="delta") or completion text (text_field="text")."""

    def choice(piece: str | None, finish: str | None) -> dict[str, Any]:
        content: Any = {"content": piece} if piece is not None else {}
        return {"index": 0, text_field: content if text_field == "delta" else (piece or ""), "finish_reason": finish}

    def frames(answer: Answer) -> Frames:
        obj = "chat.completion.chunk" if text_field == "delta" else "text_completion"
        out = []
        if text_field == "delta":
            out.append(sse(_openai_chunk(answer, [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                                   "finish_reason": None}])))
        out += [sse(_openai_chunk(answer, [choice(p, None)], obj)) for p in answer.pieces]
        last = _openai_chunk(answer, [choice(None, "stop")], obj)
        if _wants_usage_chunk(answer.body):
            out += [sse(last), sse({**_openai_chunk(answer, [], obj), "usage": _openai_usage(answer)})]
        else:  # Mistral-style: usage rides on the finishing chunk
            out.append(sse({**last, "usage": _openai_usage(answer)}))
        return out + [b"data: [DONE]\n\n"]

    return frames


def _openai_error(status: int, kind: str, message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind or "api_error", "param": None, "code": None}}


def _openai_whole(answer: Answer) -> dict[str, Any]:
    message = {"role": "assistant", "content": answer.text}
    return {**_openai_chunk(answer, [{"index": 0, "message": message, "finish_reason": "stop"}], "chat.completion"),
            "usage": _openai_usage(answer)}


OPENAI_CHAT = Format(
    name="openai-chat",
    content_type="text/event-stream",
    frames=_openai_frames("delta"),
    empty=lambda a: [sse(_openai_chunk(a, [])), sse({**_openai_chunk(a, []), "usage": _openai_usage(a)}),
                     b"data: [DONE]\n\n"],
    malformed=b"data: {not json\n\n",
    error_event=lambda kind, message: sse({"error": {"message": message, "type": kind}}),
    error_body=_openai_error,
    whole=_openai_whole,
)
OPENAI_TEXT = Format(  # DeepSeek /beta/completions (prompt + suffix)
    name="openai-text",
    content_type="text/event-stream",
    frames=_openai_frames("text"),
    empty=OPENAI_CHAT.empty,
    malformed=OPENAI_CHAT.malformed,
    error_event=OPENAI_CHAT.error_event,
    error_body=_openai_error,
)


# --- Anthropic ---------------------------------------------------------------------------------

def _anthropic_frames(answer: Answer, with_content: bool = True) -> Frames:
    start = {"type": "message_start", "message": {
        "id": "msg_fake", "type": "message", "role": "assistant", "model": answer.model, "content": [],
        "stop_reason": None, "usage": {"input_tokens": answer.input_tokens, "output_tokens": 1}}}
    out = [sse(start, "message_start")]
    if with_content:
        out += [sse({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                    "content_block_start"), sse({"type": "ping"}, "ping")]
        out += [sse({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}},
                    "content_block_delta") for p in answer.pieces]
        out.append(sse({"type": "content_block_stop", "index": 0}, "content_block_stop"))
    out.append(sse({"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                    "usage": {"output_tokens": answer.output_tokens}}, "message_delta"))
    return out + [sse({"type": "message_stop"}, "message_stop")]


def _anthropic_error(status: int, kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind or "api_error", "message": message}}


ANTHROPIC = Format(
    name="anthropic",
    content_type="text/event-stream",
    frames=_anthropic_frames,
    empty=lambda a: _anthropic_frames(a, with_content=False),
    malformed=b"event: content_block_delta\ndata: {not json\n\n",
    error_event=lambda kind, message: sse(_anthropic_error(0, kind, message), "error"),
    error_body=_anthropic_error,
)


# --- Gemini ------------------------------------------------------------------------------------

_GEMINI_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                  429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE"}


def _gemini_usage(answer: Answer) -> dict[str, int]:
    return {"promptTokenCount": answer.input_tokens, "candidatesTokenCount": answer.output_tokens,
            "totalTokenCount": answer.input_tokens + answer.output_tokens}


def _gemini_response(answer: Answer, text: str, finish: bool) -> dict[str, Any]:
    candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
    if finish:
        candidate["finishReason"] = "STOP"
    return {"candidates": [candidate], "usageMetadata": _gemini_usage(answer), "modelVersion": answer.model}


def _gemini_frames(answer: Answer) -> Frames:
    pieces = answer.pieces or [""]
    return [sse(_gemini_response(answer, p, i == len(pieces) - 1)) for i, p in enumerate(pieces)]


def _gemini_error(status: int, kind: str, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "status": _GEMINI_STATUS.get(status, "UNKNOWN")}}


GEMINI = Format(
    name="gemini",
    content_type="text/event-stream",
    frames=_gemini_frames,
    empty=lambda a: [sse({"candidates": [], "modelVersion": a.model})],
    malformed=b"data: {not json\n\n",
    error_event=lambda kind, message: sse(_gemini_error(503, kind, message)),
    error_body=_gemini_error,
    whole=lambda a: _gemini_response(a, a.text, True),
)


# --- Ollama native -----------------------------------------------------------------------------

def _ollama_frames(answer: Answer) -> Frames:
    line = {"model": answer.model, "created_at": "2026-01-01T00:00:00Z"}
    out = [ndjson({**line, "response": p, "done": False}) for p in answer.pieces]
    return out + [ndjson({**line, "response": "", "done": True, "done_reason": "stop",
                          "prompt_eval_count": answer.input_tokens, "eval_count": answer.output_tokens})]


OLLAMA_GENERATE = Format(
    name="ollama-generate",
    content_type="application/x-ndjson",
    frames=_ollama_frames,
    empty=lambda a: _ollama_frames(Answer("", a.model, a.input_tokens, 0, None, a.body)),
    malformed=b"{not json\n",
    error_event=lambda kind, message: ndjson({"error": message}),
    error_body=lambda status, kind, message: {"error": message},
)


def find_format(wire: str, method: str, path: str, body: dict[str, Any]) -> Format | dict[str, Any] | None:
    """The format serving this request, a fixed JSON answer (GET info endpoints), or None (404)."""
    if method == "GET":
        if wire == "ollama" and path == "/api/version":
            return {"version": "0.12.6"}
        if wire == "ollama" and path == "/api/tags":
            return {"models": []}
        if wire == "openai" and path in ("/models", "/v1/models"):
            return {"object": "list", "data": []}
        return None
    if wire in ("openai", "ollama") and path in ("/chat/completions", "/v1/chat/completions"):
        return OPENAI_CHAT
    if wire == "openai" and path in ("/fim/completions", "/v1/fim/completions"):
        return OPENAI_CHAT  # Mistral FIM streams chat-style deltas
    if wire == "openai" and path in ("/beta/completions", "/completions", "/v1/completions"):
        return OPENAI_TEXT
    if wire == "anthropic" and path == "/v1/messages":
        return ANTHROPIC
    if wire == "gemini" and re.fullmatch(r"/v1beta/models/[^/:]+:(streamGenerateContent|generateContent)", path):
        return GEMINI
    if wire == "ollama" and path == "/api/generate":
        return OLLAMA_GENERATE
    return None


def is_streamed(fmt: Format, path: str, body: dict[str, Any]) -> bool:
    if fmt is GEMINI:
        return path.endswith(":streamGenerateContent")
    if fmt is OLLAMA_GENERATE:
        return body.get("stream", True) is not False
    return bool(body.get("stream")) or fmt.whole is None
