"""What every HTTP adapter shares: the client, status -> ProviderError mapping, SSE/NDJSON reading.

Adapters build errors only from the status code and the provider's own error text; every
message passes through errors.redact() (ProviderError does it), so a key echoed back by a
server never reaches the user.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from codefloor.config import PROVIDERS, Endpoint
from codefloor.providers import errors as e

_MAX_DETAIL = 300
_CONTEXT_TOO_LONG = re.compile(
    r"context[_ ]length|context window|maximum context|prompt is too long|too many (input )?tokens"
    r"|input is too long|exceeds? the (model'?s? )?(maximum|context|token limit)",
    re.IGNORECASE,
)


# No cap on connections: beyond a cap requests queue inside httpcore's pool, and the wait counts
# against the read timeout; providers' own rate limits (429 + Retry-After) bound a burst.
POOL_LIMITS = httpx.Limits(max_connections=None, max_keepalive_connections=20)


def build_client(endpoint: Endpoint, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """A pooled client: connect and read timeouts come from the user config."""
    timeout = httpx.Timeout(endpoint.timeout_s, connect=endpoint.connect_timeout_s)
    return httpx.AsyncClient(timeout=timeout, transport=transport, follow_redirects=False, limits=POOL_LIMITS)


class HttpProvider:
    """Base for adapters that talk HTTP: owns one pooled client, or borrows one."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = endpoint.provider
        self.endpoint = endpoint
        self._owns_client = client is None
        self._client = client or build_client(endpoint, transport)

    async def aclose(self) -> None:
        if self._owns_client:  # a borrowed client is its owner's to close
            await self._client.aclose()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.endpoint!r})"

    def _timeout_message(self, exc: httpx.TimeoutException) -> str:
        if isinstance(exc, httpx.ConnectTimeout):
            return (f"{self.name}: could not connect within {self.endpoint.connect_timeout_s:g} s "
                    f"([providers.{self.name}].connect_timeout_s)")
        return (f"{self.name}: no data for {self.endpoint.timeout_s:g} s while waiting for the answer "
                f"([providers.{self.name}].timeout_s)")

    @asynccontextmanager
    async def _post_stream(self, url: str, body: Mapping[str, Any], headers: Mapping[str, str]):
        """POST and yield the open streaming response once its status is 2xx; map every failure.

        A connection that breaks before the status line is a connection error; after it, the
        answer was cut mid-way (StreamInterrupted).
        """
        answering = False
        try:
            httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise e.BadRequest(f"{self.name}: the base URL is not valid ({exc}); check {_url_setting(self.name)}",
                               provider=self.name) from None
        try:
            async with self._client.stream("POST", url, json=body, headers=headers) as response:
                answering = True
                if response.status_code >= 400:
                    raw = await response.aread()
                    raise error_for_status(self.name, response.status_code, raw, response.headers)
                yield response
        except httpx.TimeoutException as exc:
            raise e.ProviderTimeout(self._timeout_message(exc), provider=self.name) from None
        except httpx.UnsupportedProtocol:
            raise e.BadRequest(f"{self.name}: the base URL must start with http:// or https://; check "
                               f"{_url_setting(self.name)}", provider=self.name) from None
        except httpx.ConnectError as exc:
            raise e.ProviderConnectionError(f"{self.name}: cannot connect to {_host(url)}: {exc}",
                                            provider=self.name) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            if answering:
                raise e.StreamInterrupted(f"{self.name}: the connection closed before the answer was complete",
                                          provider=self.name) from None
            raise e.ProviderConnectionError(f"{self.name}: {_host(url)} closed the connection without answering",
                                            provider=self.name) from None
        except httpx.HTTPError as exc:
            raise e.ProviderConnectionError(f"{self.name}: request failed: {exc}", provider=self.name) from None
        except UnicodeEncodeError:
            # Our own request could not be encoded (router.run makes prompts encodable first): nothing
            # was sent, so it says nothing about the provider -- not retryable, no cooldown.
            raise e.BadRequest(f"{self.name}: the request could not be encoded as UTF-8; nothing was sent",
                               provider=self.name) from None
        except (KeyError, TypeError, AttributeError, ValueError, OverflowError, RecursionError) as exc:
            # Valid JSON of the wrong shape (or undecodable text, or numbers beyond a float) met the
            # adapter's parsing.
            raise e.MalformedResponse(f"{self.name} sent an answer of an unexpected shape ({type(exc).__name__})",
                                      provider=self.name) from None


def _url_setting(provider: str) -> str:
    spec = PROVIDERS.get(provider)
    env = f"{spec.base_url_env} or " if spec and spec.base_url_env else ""
    return f"{env}[providers.{provider}].base_url"


def _host(url: str) -> str:
    return httpx.URL(url).netloc.decode("ascii", "replace")


def provider_detail(raw: bytes) -> str:
    """The provider's own error text from a JSON error body, else the raw body, shortened."""
    text = raw.decode("utf-8", "replace").strip()
    try:
        data = json.loads(text)
    except ValueError:
        return text[:_MAX_DETAIL]
    detail = _error_text(data)
    return (detail or text)[:_MAX_DETAIL]


def _error_text(data: Any) -> str:
    if isinstance(data, list) and data:  # Gemini sometimes wraps the error in a list
        return _error_text(data[0])
    if not isinstance(data, dict):
        return ""
    err = data.get("error", data)
    if isinstance(err, str):
        return err
    if isinstance(err, dict):
        message = err.get("message") or err.get("status") or ""
        kind = err.get("type") or err.get("status") or err.get("code") or ""
        return f"{message} ({kind})" if kind and str(kind) not in str(message) else str(message)
    return ""


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait: Retry-After as seconds or an HTTP-date, or OpenAI's retry-after-ms."""
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            return max(0.0, when.timestamp() - (time.time() if now is None else now))
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    return None


def _retry_delay_in_body(raw: bytes) -> float | None:
    """Gemini puts the wait in the body: error.details[].retryDelay = "17s"."""
    match = re.search(rb'"retryDelay"\s*:\s*"([0-9.]+)s"', raw)
    return float(match.group(1)) if match else None


def _key_hint(provider: str) -> str:
    spec = PROVIDERS.get(provider)
    if spec and spec.key_env:
        return f" -- check {spec.key_env} or [providers.{provider}].api_key in the user config"
    return ""


def error_for_status(
    provider: str, status: int, raw: bytes, headers: Mapping[str, str] | None = None
) -> e.ProviderError:
    """Map an HTTP error status (and the provider's error body) to the ProviderError tree."""
    headers = headers or {}
    detail = provider_detail(raw)
    said = f": {detail}" if detail else ""
    kw = {"provider": provider, "status_code": status}
    lowered = detail.lower()
    if status == 529 or "overloaded_error" in lowered:
        return e.Overloaded(f"{provider} is overloaded (HTTP {status}){said}",
                            retry_after=parse_retry_after(headers), **kw)
    if status == 429:
        retry_after = parse_retry_after(headers)
        if retry_after is None:
            retry_after = _retry_delay_in_body(raw)
        wait = f"; retry after {retry_after:g}s" if retry_after is not None else ""
        return e.RateLimited(f"{provider} rate limit reached (HTTP 429){wait}{said}", retry_after=retry_after, **kw)
    if status in (401, 403) or "api_key_invalid" in lowered or "api key not valid" in lowered:
        return e.AuthError(f"{provider} rejected the API key (HTTP {status}){said}{_key_hint(provider)}", **kw)
    if status >= 500:
        return e.ServerError(f"{provider} server error (HTTP {status}){said}", **kw)
    if _CONTEXT_TOO_LONG.search(detail) or status == 413:
        return e.ContextTooLong(f"{provider}: the prompt is longer than the model's context window{said}", **kw)
    if status == 404:
        return e.ModelNotFound(f"{provider} does not serve this model (HTTP 404){said}", **kw)
    return e.BadRequest(f"{provider} refused the request (HTTP {status}){said}", **kw)


def error_in_stream(provider: str, payload: Mapping[str, Any]) -> e.ProviderError:
    """An error object sent inside an otherwise successful stream (OpenRouter, Anthropic, Ollama)."""
    err = payload.get("error", payload)
    detail = _error_text(payload)[:_MAX_DETAIL]
    code = err.get("code") if isinstance(err, dict) else None
    kind = str(err.get("type") or "") if isinstance(err, dict) else ""
    if isinstance(code, int) and code >= 400:
        return error_for_status(provider, code, json.dumps(payload).encode())
    if kind == "overloaded_error":
        return e.Overloaded(f"{provider} is overloaded: {detail}", provider=provider)
    if kind == "rate_limit_error":
        return e.RateLimited(f"{provider} rate limit reached: {detail}", provider=provider)
    if kind in ("authentication_error", "permission_error"):
        return e.AuthError(f"{provider} rejected the API key: {detail}{_key_hint(provider)}", provider=provider)
    if kind == "not_found_error":
        return e.ModelNotFound(f"{provider} does not serve this model: {detail}", provider=provider)
    if kind == "invalid_request_error":
        cls = e.ContextTooLong if _CONTEXT_TOO_LONG.search(detail) else e.BadRequest
        return cls(f"{provider} refused the request: {detail}", provider=provider)
    return e.ServerError(f"{provider} reported an error mid-stream: {detail}", provider=provider)


@dataclass(frozen=True, slots=True)
class SseEvent:
    event: str
    data: str


async def sse_events(response: httpx.Response) -> AsyncIterator[SseEvent]:
    """Server-sent events from a streaming response (data lines joined; comments skipped)."""
    event, data = "", []
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield SseEvent(event or "message", "\n".join(data))
            event, data = "", []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "data":
                data.append(value)
            elif field == "event":
                event = value
    if data:  # a final event without its blank line
        yield SseEvent(event or "message", "\n".join(data))


def parse_json(provider: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise e.MalformedResponse(f"{provider} sent data that is not JSON: {text[:80]!r}", provider=provider) from None
    except RecursionError:  # nested deeper than the parser's stack: no answer of ours looks like that
        raise e.MalformedResponse(f"{provider} sent JSON nested too deep to read", provider=provider) from None


def interrupted(provider: str, what: str) -> e.StreamInterrupted:
    return e.StreamInterrupted(f"{provider}: the stream ended before {what}", provider=provider)
