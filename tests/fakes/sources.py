"""A loopback HTTP server serving the four public catalog sources (`codefloor catalog update`).

Each path (/openrouter, /aider_polyglot, /swebench, /litellm) serves bytes the test sets, with an
ETag; it answers 304 to a matching If-None-Match and records every request. Faults per path:
`status` (e.g. 500), `hang` (answer nothing until the test ends), `no_length` (close-delimited
body without Content-Length), `declared_length` (a Content-Length header other than the body's).

The default bodies are the bundled trimmed copies in server/codefloor/catalog/sources/, so they
keep the shape the build reads whatever the bundled data becomes.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from codefloor.catalog.build import BUNDLED_SOURCES
from codefloor.catalog.sources import AIDER_POLYGLOT, LITELLM, newest_openrouter_file, newest_swebench_file

NAMES = ("openrouter", "aider_polyglot", "swebench", "litellm")


def bundled_bodies() -> dict[str, bytes]:
    files = {
        "openrouter": newest_openrouter_file(BUNDLED_SOURCES),
        "aider_polyglot": BUNDLED_SOURCES / AIDER_POLYGLOT,
        "swebench": newest_swebench_file(BUNDLED_SOURCES),
        "litellm": BUNDLED_SOURCES / LITELLM,
    }
    return {name: Path(path).read_bytes() for name, path in files.items()}


@dataclass
class Served:
    body: bytes
    status: int = 200
    hang: bool = False
    no_length: bool = False
    declared_length: int | None = None

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass
class SeenRequest:
    path: str
    if_none_match: str | None


@dataclass
class _State:
    served: dict[str, Served]
    requests: list[SeenRequest] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        state = self.server.state
        name = self.path.strip("/")
        with state.lock:
            state.requests.append(SeenRequest(name, self.headers.get("If-None-Match")))
            served = state.served.get(name)
        if served is None:
            self._plain(404, b"unknown source")
            return
        if served.hang:
            state.release.wait(30)  # the client's timeout fires long before; the test sets release
            return
        if served.status != 200:
            self._plain(served.status, b"upstream trouble")
            return
        if self.headers.get("If-None-Match") == served.etag:
            self.send_response(304)
            self.send_header("ETag", served.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("ETag", served.etag)
        if served.no_length:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            length = served.declared_length if served.declared_length is not None else len(served.body)
            self.send_header("Content-Length", str(length))
        self.end_headers()
        try:
            self.wfile.write(served.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (size cap)

    def _plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: _State) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up mid-body is expected in the size-cap tests


class SourceServer:
    def __init__(self, bodies: dict[str, bytes] | None = None) -> None:
        self.state = _State({name: Served(body) for name, body in (bodies or bundled_bodies()).items()})
        self._server = _Server(self.state)
        self._thread = threading.Thread(target=self._server.serve_forever, name="source-server", daemon=True)

    def start(self) -> "SourceServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.state.release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/{name}"

    def serve(self, name: str, **changes: Any) -> None:
        """Change what one path answers: serve("swebench", status=500), serve("openrouter", body=b"...")."""
        with self.state.lock:
            current = self.state.served[name]
            self.state.served[name] = Served(**{**current.__dict__, **changes})

    @property
    def requests(self) -> list[SeenRequest]:
        with self.state.lock:
            return list(self.state.requests)

    def config_toml(self) -> str:
        lines = ["[catalog.sources]"] + [f'{name} = "{self.url(name)}"' for name in NAMES]
        return "\n".join(lines) + "\n"
