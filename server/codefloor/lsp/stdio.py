"""Serve LSP over stdin/stdout, reading stdin on the event loop itself.

pygls 2.1's stdio server reads with one thread-pool call per header line and one per body, so
every message costs three trips through the event loop's ready queue; under load (hundreds of
model streams being read) a code action listing waited behind all of them for each of its reads:
p99 ~1.5 s while 200 requests ran, against ~2 ms idle. Here an asyncio protocol on the stdin pipe
handles each message inside the callback that received its bytes, so a synchronous handler (the
code action listing) is answered without waiting for a single further loop turn.

pygls' own reader is kept where stdin is not a pipe (a file or a TTY cannot be watched this way).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import stat
import sys
import threading

from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)

_CONTENT_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)


def serve_stdio(server: LanguageServer) -> None:
    if not _is_pipe(sys.stdin.fileno()):
        server.start_io()
        return
    server._stop_event = threading.Event()  # what pygls' shutdown() sets
    server.protocol.set_writer(StdoutWriter(sys.stdout.buffer))
    try:
        asyncio.run(_serve(server))
    except BrokenPipeError:
        log.error("the client closed the connection; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass  # `exit` from the client ends the process through SystemExit, as in pygls
    finally:
        server.shutdown()


async def _serve(server: LanguageServer) -> None:
    loop = asyncio.get_running_loop()
    closed: asyncio.Future[None] = loop.create_future()
    transport, _ = await loop.connect_read_pipe(lambda: _MessageReader(server, closed), sys.stdin.buffer)
    try:
        await closed
    finally:
        transport.close()


class _MessageReader(asyncio.Protocol):
    """Splits the byte stream into `Content-Length` framed JSON-RPC bodies and hands each to pygls."""

    def __init__(self, server: LanguageServer, closed: asyncio.Future[None]) -> None:
        self._server = server
        self._closed = closed
        self._buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while (body := self._next_body()) is not None:
            self._handle(body)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._closed.done():
            self._closed.set_result(None)

    def _next_body(self) -> bytes | None:
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        match = _CONTENT_LENGTH.search(bytes(self._buffer[:end]))
        start = end + 4
        if match is None:  # a header block without a length: drop it, keep reading
            log.error("dropped an LSP header without Content-Length: %r", bytes(self._buffer[:end])[:200])
            del self._buffer[:start]
            return b""
        length = int(match.group(1))
        if len(self._buffer) < start + length:
            return None
        body = bytes(self._buffer[start : start + length])
        del self._buffer[: start + length]
        return body

    def _handle(self, body: bytes) -> None:
        if not body:
            return
        protocol = self._server.protocol
        try:
            protocol.handle_message(json.loads(body, object_hook=protocol.structure_message))
        except Exception as exc:  # as pygls' own loop: one bad message never stops the server
            log.exception("Unable to handle message")
            self._server.report_server_error(exc, JsonRpcException)


def _is_pipe(fd: int) -> bool:
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)
