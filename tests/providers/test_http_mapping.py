"""Status codes and error bodies -> the ProviderError tree; Retry-After in every form providers use."""

from __future__ import annotations

import email.utils
import json

import pytest

from codefloor.providers import errors as e
from codefloor.providers._http import error_for_status, parse_retry_after, provider_detail

NOW = 1_800_000_000.0


@pytest.mark.parametrize("headers, expected", [
    ({"retry-after": "12"}, 12.0),
    ({"retry-after": "1.5"}, 1.5),
    ({"retry-after": email.utils.formatdate(NOW + 90, usegmt=True)}, 90.0),
    ({"retry-after": email.utils.formatdate(NOW - 90, usegmt=True)}, 0.0),  # already past
    ({"retry-after-ms": "2500"}, 2.5),
    ({"retry-after": "soon"}, None),
    ({}, None),
])
def test_parse_retry_after(headers, expected):
    assert parse_retry_after(headers, now=NOW) == expected


def _body(**error) -> bytes:
    return json.dumps({"error": error}).encode()


@pytest.mark.parametrize("status, raw, expected", [
    (401, _body(message="bad key"), e.AuthError),
    (403, _body(message="forbidden"), e.AuthError),
    (429, _body(message="slow down"), e.RateLimited),
    (529, _body(type="overloaded_error", message="Overloaded"), e.Overloaded),
    (500, b"<html>oops</html>", e.ServerError),
    (502, b"", e.ServerError),
    (400, _body(message="prompt is too long: 210000 tokens > 200000 maximum"), e.ContextTooLong),
    (400, _body(code="context_length_exceeded", message="This model's maximum context length is 128000 tokens"),
     e.ContextTooLong),
    (413, b"", e.ContextTooLong),
    (400, _body(message="unknown parameter: foo"), e.BadRequest),
    (404, _body(message="model not found"), e.ModelNotFound),
])
def test_status_mapping(status, raw, expected):
    error = error_for_status("openai", status, raw)
    assert type(error) is expected and error.status_code == status


def test_gemini_retry_delay_in_the_body_is_used_without_a_header():
    raw = json.dumps([{"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED",
                                 "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
                                              "retryDelay": "17s"}]}}]).encode()
    error = error_for_status("gemini", 429, raw)
    assert isinstance(error, e.RateLimited) and error.retry_after == 17.0
    assert "Quota exceeded" in error.message


def test_provider_detail_is_short_and_prefers_the_json_message():
    assert provider_detail(_body(message="nope", type="invalid_request_error")) == "nope (invalid_request_error)"
    assert provider_detail(json.dumps({"error": "model 'x' not found"}).encode()) == "model 'x' not found"
    assert len(provider_detail(b"x" * 5000)) == 300


def test_auth_error_names_the_variable_to_set():
    error = error_for_status("deepseek", 401, b"")
    assert "DEEPSEEK_API_KEY" in error.message and not error.retryable
