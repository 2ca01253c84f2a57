"""The stdin reader frames JSON-RPC messages however the bytes arrive: split anywhere, several in
one read, a header block without Content-Length skipped, a body that is not JSON reported without
stopping the messages after it."""

from __future__ import annotations

import asyncio
import json

from codefloor.lsp.stdio import _MessageReader


class _Protocol:
    def __init__(self) -> None:
        self.handled: list[dict] = []

    def structure_message(self, data: dict) -> dict:
        return data

    def handle_message(self, message: dict) -> None:
        self.handled.append(message)


class _Server:
    def __init__(self) -> None:
        self.protocol = _Protocol()
        self.errors: list[Exception] = []

    def report_server_error(self, error: Exception, source: type) -> None:
        self.errors.append(error)


def frame(message: dict, header: str = "Content-Length") -> bytes:
    body = json.dumps(message, ensure_ascii=False).encode("utf-8")
    return f"{header}: {len(body)}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n".encode() + body


async def test_messages_are_framed_whatever_the_reads_look_like():
    server = _Server()
    reader = _MessageReader(server, asyncio.get_running_loop().create_future())
    messages = [{"id": n, "method": "m", "params": {"text": "名前 👋" * n}} for n in range(1, 6)]
    stream = b"".join(frame(m) for m in messages[:3]) + frame(messages[3], "content-length") + frame(messages[4])
    for i in range(0, len(stream), 7):  # 7-byte reads split headers, bodies and UTF-8 sequences
        reader.data_received(stream[i : i + 7])
    assert server.protocol.handled == messages


async def test_a_bad_frame_is_skipped_and_reported_and_the_next_one_is_handled():
    server = _Server()
    closed = asyncio.get_running_loop().create_future()
    reader = _MessageReader(server, closed)
    reader.data_received(b"X-Nothing: 1\r\n\r\n" + b"Content-Length: 5\r\n\r\n{nope" + frame({"id": 1, "method": "ok"}))
    assert server.protocol.handled == [{"id": 1, "method": "ok"}]
    assert len(server.errors) == 1  # the body that is not JSON
    reader.connection_lost(None)
    assert closed.done()
