"""The loopback provider of the editor-session benchmark (OpenAI wire, Mistral's FIM path too).

    python benchmarks/editor_session/fake_provider.py [--chunks 40] [--interval-ms 50] [--first-byte-ms 0]

Prints its port, then serves until killed. Two kinds of answer, chosen by the path:

- `.../fim/completions` (inline completions): the whole answer in one write, at once, so the
  time a completion takes through codefloor minus the same call made directly is codefloor's;
- `.../chat/completions` (code actions): a streamed answer of `--chunks` SSE events
  `--interval-ms` apart (chunked transfer encoding, one write per event), as a model streams.

`--first-byte-ms`: every answer starts that late (a slow model, or a queue in front of it).
TCP_NODELAY on every socket: small writes never wait for a delayed ACK.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket

ANSWER = '```python\ndef greet(name: str) -> str:\n    return f"hello {name}"\n```'
COMPLETION = "x + 1"


def _sse(payload: dict | str) -> bytes:
    data = payload if isinstance(payload, str) else json.dumps(payload)
    return f"data: {data}\n\n".encode()


def fim_answer(model: str) -> bytes:
    events = [
        {"id": "f", "object": "text_completion", "model": model, "choices": [{"index": 0, "text": COMPLETION, "finish_reason": None}]},
        {"id": "f", "object": "text_completion", "model": model, "choices": [{"index": 0, "text": "", "finish_reason": "stop"}],
         "usage": {"prompt_tokens": 100, "completion_tokens": 3, "total_tokens": 103}},
    ]
    body = b"".join(_sse(e) for e in events) + _sse("[DONE]")
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    return head.encode() + body


def chat_events(model: str, chunks: int) -> list[bytes]:
    size = max(1, -(-len(ANSWER) // chunks))
    pieces = [ANSWER[i : i + size] for i in range(0, len(ANSWER), size)]
    events = [_sse({"id": "c", "object": "chat.completion.chunk", "model": model,
                    "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}) for piece in pieces]
    events.append(_sse({"id": "c", "object": "chat.completion.chunk", "model": model, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 200, "completion_tokens": 30, "total_tokens": 230}}))
    events.append(_sse("[DONE]"))
    return events


def _chunk(data: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(data), data)


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, chunks: int, interval_s: float,
                 first_byte_s: float = 0.0) -> None:
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line = head.split(b"\r\n", 1)[0].decode()
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = json.loads(await reader.readexactly(length)) if length else {}
            model = str(body.get("model", "?"))
            if first_byte_s:
                await asyncio.sleep(first_byte_s)
            if "/fim/completions" in request_line:
                writer.write(fim_answer(model))
                await writer.drain()
                continue
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n")
            for index, event in enumerate(chat_events(model, chunks)):
                if index:
                    await asyncio.sleep(interval_s)
                writer.write(_chunk(event))
                await writer.drain()
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=40)
    parser.add_argument("--interval-ms", type=float, default=50.0)
    parser.add_argument("--first-byte-ms", type=float, default=0.0)
    args = parser.parse_args()
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, args.chunks, args.interval_ms / 1000, args.first_byte_ms / 1000), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
