"""The exception subtree every provider adapter raises (under codefloor.errors.CodefloorError).

    ProviderError                     (.provider, .status_code, .retryable)
    ├── TransportError                retryable: the request may not have reached the model
    │   ├── ProviderTimeout           connect/read timeout
    │   └── ProviderConnectionError   refused, reset, DNS
    ├── RateLimited                   429; .retry_after seconds (from Retry-After) or None
    │   └── Overloaded                Anthropic 529, "overloaded_error"
    ├── ServerError                   5xx
    ├── MalformedResponse             unparsable JSON/SSE, empty choices
    │   └── StreamInterrupted         the stream ended before its finish marker
    ├── AuthError                     401/403 -- not retryable: fix the key
    ├── BadRequest                    400/422 -- not retryable: every model would refuse it
    │   ├── ContextTooLong            the prompt exceeds this route's window (another may fit)
    │   └── ModelNotFound             404: this route does not serve the model (not pulled in
    │                                 Ollama, retired upstream); another route may
    └── FimNotSupported               the route has no native fill-in-the-middle endpoint

Retryable errors send the router to the next fallback and put the route in cooldown.
Messages are written for users and must never contain an API key: adapters build them from
status codes and the provider's error text only (see redact()).
"""

from __future__ import annotations

import re

from codefloor.errors import CodefloorError


class ProviderError(CodefloorError):
    retryable: bool = False

    def __init__(self, message: str, *, provider: str = "", status_code: int | None = None) -> None:
        super().__init__(redact(message))
        self.provider = provider
        self.status_code = status_code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class TransportError(ProviderError):
    retryable = True


class ProviderTimeout(TransportError):
    pass


class ProviderConnectionError(TransportError):
    pass


class RateLimited(ProviderError):
    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class Overloaded(RateLimited):
    pass


class ServerError(ProviderError):
    retryable = True


class MalformedResponse(ProviderError):
    retryable = True


class StreamInterrupted(MalformedResponse):
    pass


class AuthError(ProviderError):
    pass


class BadRequest(ProviderError):
    pass


class ContextTooLong(BadRequest):
    pass


class ModelNotFound(BadRequest):
    """The route's provider does not serve this model; a property of the route, not the request."""


class FimNotSupported(ProviderError):
    pass


# Shapes of common API keys; a provider echoing a key back must not get it to the user or a log.
_KEY_PATTERNS = re.compile(
    r"(sk-[A-Za-z0-9_\-]{8,}|AIza[0-9A-Za-z_\-]{20,}|xai-[A-Za-z0-9]{8,}|(?i:bearer)\s+[A-Za-z0-9._\-]{8,})"
)
_known_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Remember a configured key so redact() removes it wherever it would appear."""
    if value and len(value) >= 6:
        _known_secrets.add(value)


def redact(text: str) -> str:
    for secret in _known_secrets:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    return _KEY_PATTERNS.sub("[redacted]", text)


def redact_known(text: str) -> str:
    """Replace configured keys only (no shape patterns): safe for model answers, where code may
    legitimately contain strings that merely look like keys."""
    for secret in _known_secrets:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    return text


class StreamRedactor:
    """redact_known() for text that arrives in pieces: a key split across two chunks is still
    caught, because the end of a piece that could be the start of a key is held back until the
    next piece (or flush) decides it."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, text: str) -> str:
        buffer = redact_known(self._pending + text)
        hold = _key_prefix_at_end(buffer)
        self._pending = buffer[len(buffer) - hold :]
        return buffer[: len(buffer) - hold]

    def flush(self) -> str:
        rest, self._pending = self._pending, ""
        return rest  # shorter than any key: nothing left to redact


def _key_prefix_at_end(text: str) -> int:
    """Length of the longest end of `text` that is a proper prefix of a configured key.

    Runs on every streamed chunk, so it only tries the few places where a key's first character
    occurs near the end (real keys are 100+ characters; trying every length cost ~15 us a chunk)."""
    longest = 0
    for secret in _known_secrets:
        position = text.find(secret[0], max(0, len(text) - len(secret) + 1))
        while position != -1 and len(text) - position > longest:
            if secret.startswith(text[position:]):
                longest = len(text) - position
                break
            position = text.find(secret[0], position + 1)
    return longest
