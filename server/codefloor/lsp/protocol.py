"""The JSON-RPC protocol with one fix: a message whose params do not fit the LSP schema is answered.

pygls 2.1.1 raises while decoding such a message, logs it and shows "Error in server: Invalid
Params", but never answers the request, so the client waits for ever. Here a request gets an
InvalidParams error naming the method and the bad field; a notification is dropped with a
message saying which one (a dropped didChange leaves the document stale until it is reopened).
"""

from __future__ import annotations

import logging
from typing import Any

from cattrs import transform_error
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol

log = logging.getLogger(__name__)


class _Answered:
    """Decoded stand-in for a message that was already answered; handle_message skips it."""


ANSWERED = _Answered()


class CodefloorProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            method = data.get("method")
            if not isinstance(method, str):
                raise  # a malformed response: nothing to answer
            detail = _detail(exc.__cause__)
            message = f"codefloor: {method} has invalid params ({detail})"
            log.warning("%s", message)
            if "id" in data:
                error = types.ResponseError(code=JsonRpcInvalidParams.CODE, message=message)
                self._send_response(data["id"], error=error)
            else:
                self.notify(
                    types.WINDOW_SHOW_MESSAGE,
                    types.ShowMessageParams(type=types.MessageType.Warning, message=f"{message}; it was ignored"),
                )
            return ANSWERED

    def handle_message(self, message: Any) -> None:
        if message is ANSWERED:
            return
        super().handle_message(message)


def _detail(cause: BaseException | None) -> str:
    if cause is None:
        return "not valid LSP"
    try:
        lines = transform_error(cause, path="")
    except Exception:  # not a cattrs validation error
        lines = [str(cause)]
    text = "; ".join(line.replace(" @ .", " at ") for line in lines[:3])
    return text[:300]
