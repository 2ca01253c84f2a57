"""A minimal LSP client over the server's real stdio that keeps every byte it receives.

pytest-lsp types every message, so it cannot send malformed params and it hides what the server
actually wrote; the bad-input, secrets and stale-edit scenarios need both. This client:
- sends raw frames or JSON-RPC requests/notifications of any shape;
- answers the server's own requests (workspace/configuration from `self.settings`,
  workspace/applyEdit recorded and accepted, progress creation);
- keeps every frame from stdout (`frames`) and all of stderr (`stderr_text()`), so a test can
  search everything the server said for a key;
- notes when each response's bytes arrived (`arrived_at`), read by a thread of its own, so a
  latency measured against the server does not include the time this client's event loop was
  busy with its own work (sending a burst of 200 requests takes it ~100 ms).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.reliability.report import Row

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_COMMAND = [sys.executable, "-m", "codefloor", "serve", "-v"]  # -v: every log line on stderr

# A VS Code-like client: pull configuration, versioned edits, resolve, progress, inline completion.
CAPABILITIES: dict[str, Any] = {
    "general": {"positionEncodings": ["utf-16"]},
    "workspace": {"configuration": True, "workspaceEdit": {"documentChanges": True}, "workspaceFolders": True},
    "window": {"workDoneProgress": True, "showMessage": {}},
    "textDocument": {
        "synchronization": {"didSave": True},
        "codeAction": {
            "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "refactor", "refactor.rewrite"]}},
            "resolveSupport": {"properties": ["edit"]},
            "disabledSupport": True,
            "dataSupport": True,
        },
        "inlineCompletion": {},
        "hover": {"contentFormat": ["markdown", "plaintext"]},
    },
}


class RawClient:
    def __init__(self, env: dict[str, str], *, debug_log: bool = True) -> None:
        """debug_log=False runs the server as editors do (no -v), e.g. when its own cost is measured."""
        self.env = env
        self.command = SERVER_COMMAND if debug_log else [arg for arg in SERVER_COMMAND if arg != "-v"]
        self.frames: list[str] = []  # every message body the server wrote, verbatim
        self.messages: list[dict] = []  # the same, parsed
        self.applied_edits: list[dict] = []  # params of workspace/applyEdit
        self.settings: dict[str, Any] = {}  # scopeUri ("" = global) -> the codefloor section
        self.init_result: dict = {}  # the server's answer to initialize
        self.fixed_results: dict[str, Any] = {}  # method -> the raw result to answer it with, whatever it is
        self.arrived_at: dict[int, float] = {}  # response id -> time.perf_counter() when its bytes were read
        self._stderr = bytearray()
        self._pending: dict[int, asyncio.Future] = {}
        self._next_id = 0
        self._proc: asyncio.subprocess.Process | None = None
        self._tasks: list[asyncio.Future] = []

    # -- process ------------------------------------------------------------------------------
    async def start(self) -> RawClient:
        stdout_r, stdout_w = os.pipe()
        try:
            self._proc = await asyncio.create_subprocess_exec(
                *self.command,
                cwd=REPO_ROOT,
                env=self.env,
                stdin=asyncio.subprocess.PIPE,
                stdout=stdout_w,
                stderr=asyncio.subprocess.PIPE,
                limit=64 * 1024 * 1024,
            )
        except BaseException:
            os.close(stdout_r)
            raise
        finally:
            os.close(stdout_w)
        stdout_done = asyncio.get_running_loop().create_future()
        reader = threading.Thread(target=self._read_stdout, args=(stdout_r, asyncio.get_running_loop(), stdout_done),
                                  name="rawlsp-stdout", daemon=True)
        reader.start()
        self._tasks = [stdout_done, asyncio.ensure_future(self._read_stderr())]
        return self

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.returncode is None

    def stderr_text(self) -> str:
        return self._stderr.decode("utf-8", "replace")

    async def stop(self) -> None:
        if self.alive:
            try:
                await self.request("shutdown", None, timeout=5)
                self.notify("exit", None)
                await asyncio.wait_for(self._proc.wait(), 5)  # type: ignore[union-attr]
            except (TimeoutError, ConnectionError, RuntimeError):
                pass
        if self.alive:
            self._proc.kill()  # type: ignore[union-attr]
            await self._proc.wait()  # type: ignore[union-attr]
        for task in self._tasks:
            await asyncio.wait([task], timeout=2)
            task.cancel()

    # -- sending ------------------------------------------------------------------------------
    def send_raw(self, body: bytes) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send_bytes(self, data: bytes) -> None:
        """Exactly these bytes on the server's stdin: bad frames, bad headers, bad UTF-8."""
        assert self._proc is not None and self._proc.stdin is not None
        self._proc.stdin.write(data)

    def _send(self, message: dict) -> None:
        self.send_raw(json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8"))

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    async def request(self, method: str, params: Any, timeout: float = 30.0) -> dict:
        """The whole response message: {"result": ...} or {"error": {...}}."""
        return (await self.timed_request(method, params, timeout))[0]

    async def timed_request(self, method: str, params: Any, timeout: float = 30.0) -> tuple[dict, float]:
        """The response and the ms from writing the request to its answer's bytes arriving."""
        self._next_id += 1
        msg_id = self._next_id
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending[msg_id] = future
        sent = time.perf_counter()
        self._send({"id": msg_id, "method": method, "params": params})
        try:
            message = await asyncio.wait_for(future, timeout)
            return message, (self.arrived_at.pop(msg_id) - sent) * 1000
        finally:
            self._pending.pop(msg_id, None)

    def request_later(self, method: str, params: Any, timeout: float = 60.0) -> asyncio.Task:
        return asyncio.ensure_future(self.request(method, params, timeout))

    # -- session helpers ----------------------------------------------------------------------
    async def initialize(self, folders: list[Path], init_options: Any = None, capabilities: dict | None = None) -> dict:
        response = await self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": None,
                "capabilities": capabilities or CAPABILITIES,
                "workspaceFolders": [{"uri": f.as_uri(), "name": f.name} for f in folders],
                "initializationOptions": init_options,
            },
        )
        self.notify("initialized", {})
        self.init_result = response.get("result") or {}
        return response

    def open(self, path: Path, text: str, version: int = 1, language: str = "python") -> str:
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}})
        return uri

    def replace_all(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]})

    def key_leaks(self) -> int:
        """How often the session's API key (tests.lsp.harness.FAKE_KEY) appears in anything the server said."""
        from tests.lsp.harness import FAKE_KEY

        return self.all_text().count(FAKE_KEY)

    def shown(self) -> list[str]:
        """window/showMessage texts so far."""
        return [m["params"]["message"] for m in self.messages if m.get("method") == "window/showMessage"]

    def all_text(self) -> str:
        """Everything the server said, on both channels."""
        return "\n".join(self.frames) + "\n" + self.stderr_text()

    async def wait_for(self, predicate, timeout: float = 10.0) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if predicate():
                return True
            await asyncio.sleep(0.02)
        return predicate()

    # -- receiving ----------------------------------------------------------------------------
    def _read_stdout(self, fd: int, loop: asyncio.AbstractEventLoop, done: asyncio.Future) -> None:
        """On its own thread: split stdout into frames, stamp each batch's arrival, hand them to the loop."""
        buffer = b""
        try:
            while chunk := os.read(fd, 1 << 20):
                arrived = time.perf_counter()
                buffer += chunk
                bodies = []
                while (end := buffer.find(b"\r\n\r\n")) >= 0:
                    header = buffer[:end]
                    length = next(int(line.split(b":")[1]) for line in header.split(b"\r\n") if line.lower().startswith(b"content-length"))
                    if len(buffer) < end + 4 + length:
                        break
                    bodies.append(buffer[end + 4 : end + 4 + length].decode("utf-8"))
                    buffer = buffer[end + 4 + length :]
                if bodies:
                    loop.call_soon_threadsafe(self._receive, bodies, arrived)
        except (OSError, RuntimeError):
            pass  # RuntimeError: the loop closed under us
        finally:
            os.close(fd)
            try:
                loop.call_soon_threadsafe(self._closed, done)
            except RuntimeError:
                pass

    def _receive(self, bodies: list[str], arrived: float) -> None:
        for body in bodies:
            self.frames.append(body)
            message = json.loads(body)
            if "method" not in message and isinstance(message.get("id"), int):
                self.arrived_at[message["id"]] = arrived
            self._dispatch(message)

    def _closed(self, done: asyncio.Future) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(ConnectionError("the server closed its output"))
        if not done.done():
            done.set_result(None)

    async def _read_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        while chunk := await self._proc.stderr.read(65536):
            self._stderr += chunk

    def _dispatch(self, message: dict) -> None:
        self.messages.append(message)
        if "method" not in message:
            future = self._pending.get(message.get("id"))  # type: ignore[arg-type]
            if future is not None and not future.done():
                future.set_result(message)
            return
        if "id" not in message:
            return
        method, params = message["method"], message.get("params") or {}
        result: Any = None
        if method in self.fixed_results:
            result = self.fixed_results[method]
        elif method == "workspace/configuration":
            result = [self.settings.get(item.get("scopeUri") or "", self.settings.get("")) for item in params.get("items", [])]
        elif method == "workspace/applyEdit":
            self.applied_edits.append(params)
            result = {"applied": True}
        self._send({"id": message["id"], "result": result})


# -- a whole session: a loopback provider, a workspace folder and a started server ------------------
STUB = 'def greet(name: str) -> str:\n    """Say hi 👋 to 名前."""\n    pass\n\n\nX = "末尾 🎉"\n'
BODY = '```python\ndef greet(name: str) -> str:\n    return f"こんにちは {name} 👋"\n```'


def key_row(s: Session, what: str) -> Row:
    """The row every scenario session adds: the API key never appeared in what the server said."""
    leaks = s.client.key_leaks()
    size = len(s.client.all_text()) // 1024
    return Row("secrets", f"API key in LSP frames and debug log during {what}", len(s.client.frames), f"{leaks} occurrences in {size} KB", leaks)


class Session:
    def __init__(self, client: RawClient, fake: Any, folder: Path, tmp: Path) -> None:
        self.client, self.fake, self.folder, self.tmp = client, fake, folder, tmp

    async def list_actions(self, uri: str, line: int, col: int = 4) -> list[dict]:
        params = {
            "textDocument": {"uri": uri},
            "range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}},
            "context": {"diagnostics": []},
        }
        return (await self.client.request("textDocument/codeAction", params)).get("result") or []

    async def resolve(self, action: dict, timeout: float = 30.0) -> dict:
        return await self.client.request("codeAction/resolve", action, timeout)

    async def floor(self, uri: str) -> float:
        """The floor the server applies to `uri`, as codefloor.explainRouting reports it."""
        answer = await self.client.request("workspace/executeCommand", {"command": "codefloor.explainRouting", "arguments": [uri]})
        return answer["result"]["floor"]


@asynccontextmanager
async def session(
    settings: dict | None = None,
    extra_env: dict[str, str] | None = None,
    text: str = BODY,
    *,
    config_extra: str = "",
    init_options: Any = None,
    env_for: Any = None,
    capabilities: dict | None = None,
) -> AsyncIterator[Session]:
    """A server on a fresh data dir, the openai route pointed at a loopback fake answering `text`.
    `config_extra` is appended to the user config; `env_for(fake)` adds environment variables."""
    from tests.fakes.server import FakeServer
    from tests.lsp import harness

    with tempfile.TemporaryDirectory(prefix="codefloor-rel-") as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "w"
        folder.mkdir()
        fake = FakeServer("openai", text=text).start()
        env = harness.server_env(tmp, fake, _closed_port())
        with open(env["CODEFLOOR_CONFIG"], "a", encoding="utf-8") as config:
            config.write("\n" + config_extra)
        client = RawClient({**env, **(extra_env or {}), **(env_for(fake) if env_for else {})})
        client.settings[folder.as_uri()] = {"minCodingScore": 40, "completion": {"debounceMs": 0}, **(settings or {})}
        try:
            await client.start()
            await client.initialize([folder], init_options, capabilities)
            if (capabilities or CAPABILITIES)["workspace"].get("configuration"):  # settings pulled: ready
                await client.wait_for(lambda: any(m.get("method") == "workspace/configuration" for m in client.messages), 10)
            yield Session(client, fake, folder, tmp)
        finally:
            await client.stop()
            fake.stop()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed
