"""The JSON-RPC protocol, hardened against bad input from the client.

- A message whose params do not fit the LSP schema: pygls 2.1.1 raises while decoding it, logs it
  and shows "Error in server: Invalid Params", but never answers, so the client waits for ever.
  Here a request gets an InvalidParams error naming the method and the bad field; a notification
  is dropped with a message saying which one.
- A dropped didChange means the server's copy of the document no longer matches the editor's:
  the document is forgotten (treated as not open) until the editor opens it again, so no edit is
  ever computed from the wrong text.
- A reply of the wrong shape to one of the server's own requests (`workspace/configuration`
  answered with `null` or `5`) failed the same way; the awaiting handler now gets an error.
- A didChange for a document that is not open is ignored with a log line (pygls raised KeyError
  and showed it to the user).
- A request after `shutdown` gets InvalidRequest (pygls left it unanswered).
- pygls keeps the Future of every notification handled by a generator handler (its own didOpen,
  didChange, didClose...) in `_request_futures` under a random id, for ever: ~1 KB a keystroke.
  Here it is forgotten once done (benchmarks/lsp/memory.py found it with tracemalloc).
- Before `initialize`, LSP says a request gets ServerNotInitialized and a notification other than
  `exit` is dropped; pygls served them (a hover before the client said what it supports).
- A late reply to a server->client request whose awaiting handler was cancelled: pygls 2.1.1 calls
  set_result on the cancelled future and raises from its message loop (pygls #621, fix proposed in
  PR #628). The reply is dropped here, so handlers await client requests normally.

The pygls internals this module relies on are each behind one function below, with the pygls
version they were checked against.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote

from cattrs import transform_error
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams, JsonRpcInvalidRequest, JsonRpcServerNotInitialized
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from codefloor.lsp import line_model

log = logging.getLogger(__name__)


class _Answered:
    """Decoded stand-in for a message that was already answered; handle_message skips it."""


ANSWERED = _Answered()


class CodefloorProtocol(LanguageServerProtocol):
    _initialize_seen = False

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            method = data.get("method")
            if not isinstance(method, str):
                if "id" in data and "error" not in data:
                    return self._reply_of_the_wrong_shape(data, exc)
                raise  # neither a request nor a reply: nothing to answer
            detail = _detail(exc.__cause__)
            message = f"codefloor: {method} has invalid params ({detail})"
            log.warning("%s", message)
            if "id" in data:
                self._answer_error(data["id"], JsonRpcInvalidParams.CODE, message)
            else:
                message += "; it was ignored"
                uri = _document_uri(data)
                if method == types.TEXT_DOCUMENT_DID_CHANGE and uri and unquote(uri) in self.workspace.text_documents:
                    self.workspace.remove_text_document(uri)
                    message += f". codefloor will not edit {uri.rsplit('/', 1)[-1]} until it is reopened (its text is out of sync)"
                self.notify(types.WINDOW_SHOW_MESSAGE, types.ShowMessageParams(type=types.MessageType.Warning, message=message))
            return ANSWERED

    def _reply_of_the_wrong_shape(self, data: dict[str, Any], exc: JsonRpcException) -> _Answered:
        """The client answered one of our requests (e.g. workspace/configuration with null or 5):
        the handler awaiting it gets an error it already handles (keep what we have), instead of a
        popup "Error in server: Invalid Params" and a handler that waits for ever."""
        message = f"codefloor: the client's answer to request {data['id']!r} does not fit LSP ({_detail(exc.__cause__)})"
        log.warning("%s", message)
        future = self._request_futures.pop(data["id"], None)
        if future is not None and not future.done():
            future.set_exception(JsonRpcException(message))
        return ANSWERED

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(self, params: types.InitializeParams):  # a generator, like pygls' own
        result = yield from super().lsp_initialize(params)
        line_model.adopt(self.workspace)  # documents count lines as LSP does (line_model.py)
        return result

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        if unquote(params.text_document.uri) not in self.workspace.text_documents:
            log.warning("codefloor: ignored a change to %s, which is not open", params.text_document.uri)
            return
        yield from super().lsp_text_document__did_change(params)

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None):  # type: ignore[no-untyped-def]
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        if callback == self._check_handler_result:  # a notification: no response will pop its future
            future = self._request_futures.get(msg_id)
            if future is not None:
                future.add_done_callback(lambda _: self._request_futures.pop(msg_id, None))

    def _answer_error(self, msg_id: Any, code: int, message: str) -> None:
        # Checked against pygls 2.1.1: `_send_response` is private (there is no public way to answer
        # a request that never reached a handler).
        self._send_response(msg_id, error=types.ResponseError(code=code, message=message))

    def shut_down(self) -> bool:
        # Checked against pygls 2.1.1: `_shutdown` is set by its `shutdown` handler.
        return bool(self._shutdown)

    def _handle_response(self, msg_id: Any, result: Any = None, error: Any = None) -> None:
        # Checked against pygls 2.1.1: `_handle_response` and `_request_futures` are private; the
        # futures are concurrent.futures.Future, cancelled with the asyncio task awaiting them.
        future = self._request_futures.get(msg_id)
        if future is not None and future.done():
            del self._request_futures[msg_id]
            log.debug("codefloor: dropped the late reply to request %s: its handler was cancelled", msg_id)
            return
        super()._handle_response(msg_id, result, error)

    def handle_message(self, message: Any) -> None:
        if message is ANSWERED:
            return
        msg_id, method = getattr(message, "id", None), getattr(message, "method", None)
        if method == types.INITIALIZE:
            self._initialize_seen = True
        elif not self._initialize_seen and method not in (None, types.EXIT):
            if msg_id is not None:
                self._answer_error(msg_id, JsonRpcServerNotInitialized.CODE, f"codefloor: {method} before initialize")
            return  # a notification before initialize is dropped, as LSP says
        if self.shut_down() and msg_id is not None and method not in (None, types.EXIT):
            # pygls drops requests after `shutdown` without an answer; LSP says: InvalidRequest.
            self._answer_error(msg_id, JsonRpcInvalidRequest.CODE, f"codefloor: {method} after shutdown")
            return
        super().handle_message(message)


def _document_uri(data: dict[str, Any]) -> str | None:
    params = data.get("params")
    document = params.get("textDocument") if isinstance(params, dict) else None
    uri = document.get("uri") if isinstance(document, dict) else None
    return uri if isinstance(uri, str) else None


def _detail(cause: BaseException | None) -> str:
    if cause is None:
        return "not valid LSP"
    try:
        lines = transform_error(cause, path="")
    except Exception:  # not a cattrs validation error
        lines = [str(cause)]
    text = "; ".join(line.replace(" @ .", " at ") for line in lines[:3])
    return _CAMEL.sub(lambda m: m.group(1).upper(), text)[:300]  # LSP's field names: contentChanges, not content_changes


_CAMEL = re.compile(r"(?<=[a-z])_([a-z])")


def structure(ls_protocol: LanguageServerProtocol, value: Any, cls: type) -> Any:
    """`value` (JSON-ready) as the lsprotocol class `cls`, with pygls' own converter.
    Checked against pygls 2.1.1, where the converter is the private `_converter`."""
    return ls_protocol._converter.structure(value, cls)
