"""A real HTTP server on 127.0.0.1 that speaks one provider wire format, with scripted faults.

In-process:   with FakeServer("anthropic") as fake: fake.script(rate_limited("3")); ...
Subprocess:   python -m tests.fakes.server --wire openai --port 0   (first stdout line: the port;
              control over HTTP at /_fake/..., see README.md and process.py)
"""

from __future__ import annotations

import argparse
import json
import select
import signal
import socket
import struct
import sys
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.fakes import wires
from tests.fakes.behaviour import Behaviour

DEFAULT_TEXT = "Hello from the fake provider."
SECRET_HEADERS = frozenset({"authorization", "x-api-key", "x-goog-api-key", "api-key"})


def mask_secret(value: str) -> str:
    """How recorded secret headers look: enough to assert which key was sent, never the key."""
    scheme, _, rest = value.partition(" ")
    if rest and scheme.lower() == "bearer":
        return f"{scheme} {mask_secret(rest)}"
    return "***" + value[-4:] if len(value) > 8 else "***"


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-case names; secret values masked with mask_secret()
    body: Any  # parsed JSON, or None
    behaviour: str
    client_port: int = 0  # the same port on two requests = a reused connection
    completed: bool = False  # the whole scripted answer was written
    disconnected: bool = False  # the client went away before the answer was complete

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _State:
    wire: str
    text: str
    queue: deque[Behaviour] = field(default_factory=deque)
    default: Behaviour = field(default_factory=Behaviour)
    requests: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    closing: threading.Event = field(default_factory=threading.Event)
    active: int = 0
    pulled: tuple[str, ...] = ()  # what an ollama fake's /api/tags lists

    def next_behaviour(self) -> Behaviour:
        with self.lock:
            return self.queue.popleft() if self.queue else self.default


class _ClientGone(Exception):
    pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # A streamed answer is many small writes; with Nagle on, each one after the first waits
        # for the client's delayed ACK (~40 ms on Linux) once the connection is reused.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    # --- dispatch ------------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = None
        if url.path.startswith("/_fake/"):
            return self._control(method, url.path, body)
        fmt = wires.find_format(state.wire, method, url.path, body if isinstance(body, dict) else {})
        behaviour = state.next_behaviour() if fmt is not None else Behaviour()
        record = Recorded(
            method, url.path, url.query,
            {k.lower(): (mask_secret(v) if k.lower() in SECRET_HEADERS else v) for k, v in self.headers.items()},
            body, behaviour.kind, self.client_address[1],
        )
        with state.lock:
            state.requests.append(record)
            state.active += 1
        try:
            if fmt is None:
                self._send_json(404, {"error": {"message": f"fake {state.wire} server has no {method} {url.path}"}})
            elif isinstance(fmt, dict):
                self._send_json(200, {"models": [{"name": tag} for tag in state.pulled]} if url.path == "/api/tags" else fmt)
            else:
                self._answer(fmt, url.path, body if isinstance(body, dict) else {}, behaviour)
            record.completed = True
        except _ClientGone:
            record.disconnected = True
            self.close_connection = True
        finally:
            with state.lock:
                state.active -= 1

    def _answer(self, fmt: wires.Format, path: str, body: dict[str, Any], b: Behaviour) -> None:
        state = self.server.state
        if b.delay_s:
            self._wait(b.delay_s)
        if b.kind == "refuse":
            return self._reset()
        if b.kind == "hang" and b.after_chunks is None:
            self._wait(b.hang_s)
            return self._reset()
        if b.kind == "status":
            headers = {"Retry-After": b.retry_after} if b.retry_after else {}
            return self._send_json(b.status, fmt.error_body(b.status, b.error_type or "", b.message), headers)
        answer = _answer_for(fmt, body, b, state.text)
        if not wires.is_streamed(fmt, path, body):
            if b.kind == "malformed_json":
                return self._send_bytes(200, b"{not json", "application/json")
            return self._send_json(200, fmt.whole(answer) if fmt.whole else {})
        if b.kind == "raw":
            return self._stream([f.encode() for f in b.frames], fmt.content_type, b)
        frames = fmt.empty(answer) if b.kind == "empty_choices" else fmt.frames(answer)
        n = len(frames) if b.after_chunks is None else b.after_chunks
        if b.kind == "malformed_json":
            frames = frames[:n] + [fmt.malformed]
        elif b.kind == "stream_error":
            frames = frames[:n] + [fmt.error_event(b.error_type or "api_error", b.message)]
        elif b.kind in ("cut", "hang"):
            frames = frames[:n]
        self._stream(frames, fmt.content_type, b)

    # --- writing -------------------------------------------------------------------------------

    def _stream(self, frames: list[bytes], content_type: str, b: Behaviour) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self._end_headers()
        for index, frame in enumerate(frames):
            if index and b.drip_ms:
                self._wait(b.drip_ms / 1000)
            self._write(b"%x\r\n%s\r\n" % (len(frame), frame))
        if b.kind == "hang":
            self._wait(b.hang_s)
            return self._reset()
        if b.kind == "cut" and b.abrupt:
            return self._reset()  # no terminating chunk: the body is incomplete
        self._write(b"0\r\n\r\n")

    def _send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send_bytes(status, json.dumps(payload).encode(), "application/json", headers)

    def _send_bytes(self, status: int, data: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self._end_headers()
        self._write(data)

    def _end_headers(self) -> None:
        try:
            self.end_headers()  # flushes the header buffer
        except OSError:
            raise _ClientGone from None

    def _write(self, data: bytes) -> None:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            raise _ClientGone from None

    def _wait(self, seconds: float) -> None:
        """Sleep, but notice a client that hangs up (and a server that shuts down)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self.server.state.closing.is_set():
                raise _ClientGone
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.02))
            if readable:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        raise _ClientGone
                except OSError:
                    raise _ClientGone from None
                time.sleep(min(left, 0.02))  # pipelined bytes: the client is still there

    def _reset(self) -> None:
        """Close with RST: the client sees a reset, as from a crashed or restarting server."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    # --- control endpoint (for the subprocess mode) --------------------------------------------

    def _control(self, method: str, path: str, body: Any) -> None:
        state = self.server.state
        try:
            if path == "/_fake/script" and method == "POST":
                behaviours = [Behaviour.from_json(item) for item in (body or {}).get("behaviours", [])]
                default = (body or {}).get("default")
                with state.lock:
                    state.queue.extend(behaviours)
                    if default is not None:
                        state.default = Behaviour.from_json(default)
                    if "text" in (body or {}):
                        state.text = body["text"]
                return self._send_json(200, {"queued": len(state.queue)})
            if path == "/_fake/requests" and method == "GET":
                with state.lock:
                    return self._send_json(200, [r.to_json() for r in state.requests])
            if path == "/_fake/reset" and method == "POST":
                with state.lock:
                    state.queue.clear()
                    state.requests.clear()
                    state.default = Behaviour()
                return self._send_json(200, {"ok": True})
            if path == "/_fake/health":
                with state.lock:
                    return self._send_json(200, {"ok": True, "wire": state.wire, "active": state.active})
        except (TypeError, ValueError) as exc:
            return self._send_json(400, {"error": str(exc)})
        self._send_json(404, {"error": f"no control endpoint {method} {path}"})


def _answer_for(fmt: wires.Format, body: dict[str, Any], b: Behaviour, default_text: str) -> wires.Answer:
    text = default_text if b.text is None else b.text
    prompt = json.dumps(body.get("messages") or body.get("contents") or body.get("prompt") or "")
    return wires.Answer(
        text=text,
        model=str(body.get("model") or "fake-model"),
        input_tokens=b.input_tokens if b.input_tokens is not None else max(1, len(prompt) // 4),
        output_tokens=b.output_tokens if b.output_tokens is not None else len(wires.split_pieces(text)),
        cost_usd=b.cost_usd,
        body=body,
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops connections when a client opens many at once
    # (200 concurrent requests): the client then sees a connection closed without an answer.
    request_queue_size = 512

    def __init__(self, address: tuple[str, int], state: _State) -> None:
        super().__init__(address, _Handler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client dropping an idle keep-alive connection is normal; anything else is a fake bug.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeServer:
    """One fake provider on 127.0.0.1 in a background thread. Use as a context manager."""

    def __init__(self, wire: str = "openai", *, text: str = DEFAULT_TEXT, host: str = "127.0.0.1", port: int = 0):
        if wire not in wires.WIRES:
            raise ValueError(f"unknown wire {wire!r}; choose one of {', '.join(wires.WIRES)}")
        self.wire = wire
        self._state = _State(wire, text)
        self._server = _Server((host, port), self._state)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"fake-{wire}", daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The server root; every wire's paths hang off it (/v1/chat/completions, /v1/messages, ...)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._state.closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- scripting and inspection --------------------------------------------------------------

    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next requests, in order; after them the default applies."""
        with self._state.lock:
            self._state.queue.extend(behaviours)

    def pull(self, *tags: str) -> None:
        """An ollama fake lists these tags as pulled models (GET /api/tags)."""
        self._state.pulled = tags

    def set_default(self, behaviour: Behaviour) -> None:
        with self._state.lock:
            self._state.default = behaviour

    def set_text(self, text: str) -> None:
        with self._state.lock:
            self._state.text = text

    def reset(self) -> None:
        with self._state.lock:
            self._state.queue.clear()
            self._state.requests.clear()
            self._state.default = Behaviour()

    @property
    def requests(self) -> list[Recorded]:
        with self._state.lock:
            return list(self._state.requests)

    @property
    def last(self) -> Recorded:
        return self.requests[-1]

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """True once no request is being answered (so disconnects and completions are recorded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._state.lock:
                if self._state.active == 0:
                    return True
            time.sleep(0.01)
        return False


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake LLM provider on 127.0.0.1 (for tests).")
    parser.add_argument("--wire", choices=wires.WIRES, default="openai")
    parser.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    parser.add_argument("--text", default=DEFAULT_TEXT, help="default answer text")
    args = parser.parse_args(argv)
    fake = FakeServer(args.wire, text=args.text, port=args.port).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(fake.port, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
