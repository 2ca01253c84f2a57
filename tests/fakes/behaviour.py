"""What the fake server does with one request. Queue them with FakeServer.script(...)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

Kind = Literal["ok", "refuse", "hang", "status", "malformed_json", "cut", "empty_choices", "stream_error", "raw"]


@dataclass(frozen=True)
class Behaviour:
    kind: Kind = "ok"
    text: str | None = None  # the answer; None = the server's default text
    status: int = 200  # for kind="status"
    message: str = "scripted failure"  # provider error text for kind="status"/"stream_error"
    error_type: str | None = None  # provider error type, e.g. "overloaded_error", "rate_limit_error"
    retry_after: str | None = None  # Retry-After header value (seconds or HTTP-date)
    drip_ms: int = 0  # pause between streamed chunks
    hang_s: float = 30.0  # kind="hang": silence before anything (or after `after_chunks` chunks)
    after_chunks: int | None = None  # cut / hang / stream_error / malformed: after this many chunks
    abrupt: bool = True  # kind="cut": drop the socket mid-body (else end the body cleanly, no finish marker)
    input_tokens: int | None = None  # reported usage; None = derived from the request
    output_tokens: int | None = None
    cost_usd: float | None = None  # OpenRouter-style usage.cost
    frames: tuple[str, ...] = ()  # kind="raw": stream exactly these frames (a quirk no other kind covers)
    delay_s: float = 0.0  # silence before the response starts, whatever the kind (a slow first byte)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v != _DEFAULTS[k]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Behaviour:
        unknown = set(data) - set(_DEFAULTS)
        if unknown:
            raise ValueError(f"unknown behaviour fields: {sorted(unknown)}")
        if "frames" in data:
            data = {**data, "frames": tuple(data["frames"])}
        return cls(**data)


_DEFAULTS = {f.name: f.default for f in fields(Behaviour)}


# Shorthands: the catalogue of scripted faults.
def ok(text: str | None = None, **kw: Any) -> Behaviour:
    return Behaviour("ok", text=text, **kw)


def drip(ms: int, text: str | None = None) -> Behaviour:
    return Behaviour("ok", text=text, drip_ms=ms)


def slow_start(seconds: float, text: str | None = None) -> Behaviour:
    """A good answer whose first byte comes `seconds` late (a slow model or a queue in front of it)."""
    return Behaviour("ok", text=text, delay_s=seconds)


def refuse() -> Behaviour:
    """Reset the connection before answering (what a dead or restarting server looks like)."""
    return Behaviour("refuse")


def hang(seconds: float = 30.0, after_chunks: int | None = None) -> Behaviour:
    return Behaviour("hang", hang_s=seconds, after_chunks=after_chunks)


def status(code: int, message: str = "scripted failure", **kw: Any) -> Behaviour:
    return Behaviour("status", status=code, message=message, **kw)


def rate_limited(retry_after: str | None = "2") -> Behaviour:
    return status(429, "Rate limit reached", error_type="rate_limit_error", retry_after=retry_after)


def server_error(code: int = 500) -> Behaviour:
    return status(code, "The server had an error", error_type="api_error")


def overloaded() -> Behaviour:
    return status(529, "Overloaded", error_type="overloaded_error")


def unauthorized() -> Behaviour:
    return status(401, "Incorrect API key provided", error_type="authentication_error")


def context_too_long() -> Behaviour:
    return status(400, "This model's maximum context length is 8192 tokens", error_type="invalid_request_error")


def malformed_json(after_chunks: int = 1) -> Behaviour:
    return Behaviour("malformed_json", after_chunks=after_chunks)


def cut(after_chunks: int = 2, abrupt: bool = True, text: str | None = None) -> Behaviour:
    return Behaviour("cut", after_chunks=after_chunks, abrupt=abrupt, text=text)


def empty_choices() -> Behaviour:
    return Behaviour("empty_choices")


def stream_error(error_type: str = "overloaded_error", message: str = "Overloaded", after_chunks: int = 1) -> Behaviour:
    return Behaviour("stream_error", error_type=error_type, message=message, after_chunks=after_chunks)


def raw(*frames: str) -> Behaviour:
    """A 200 stream of exactly these frames, e.g. raw('data: {"choices": 5}\\n\\n')."""
    return Behaviour("raw", frames=frames)
