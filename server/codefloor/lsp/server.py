"""CodefloorServer: the pygls server, its per-session state, and create_server().

Startup stays light (initialize <= 500 ms): the router -- catalog, providers, ledger, httpx --
is imported and built in a start-up thread once the client says `initialized`; handlers await it.

Model requests run on this same loop (one event loop on the request path): see run_routed() in
reporting.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from codefloor import __version__
from codefloor.actions.completion import CompletionCache
from codefloor.actions.trees import DocumentTrees
from codefloor.errors import RouterUnavailable
from codefloor.lsp.folders import FolderSettingsStore
from codefloor.lsp.framing import run_framed
from codefloor.lsp.pacing import Pacer
from codefloor.lsp.protocol import CodefloorProtocol
from codefloor.lsp.regions import RegionStore

if TYPE_CHECKING:
    from codefloor.router import Router

log = logging.getLogger(__name__)

# How long a request that needs a folder's settings waits for that folder's first
# workspace/configuration answer before it goes on with the defaults (and says so in the log).
SETTINGS_WAIT_S = 2.0


class CodefloorServer(LanguageServer):
    def __init__(self, *, env: dict[str, str] | None = None) -> None:
        super().__init__(
            "codefloor", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental, protocol_cls=CodefloorProtocol
        )
        self.env = env
        self.folders = FolderSettingsStore()
        self.regions = RegionStore()
        self.trees = DocumentTrees()  # one syntax tree per open document (actions/trees.py)
        self.completion_cache = CompletionCache()
        self.init_options: Any = None
        self.folder_uris: list[str] = []  # from initialize; settings are parsed on initialized
        self.latest_completion: dict[str, asyncio.Task] = {}  # uri -> the completion being computed
        self.spend_state: Any = None  # completion spend: paused folders, figures (lsp/spend_status.py)
        self.pacer = Pacer()  # model-running handlers start one per loop turn (see pacing.py)
        self._router: asyncio.Future | None = None
        self._settings_pending: dict[str, asyncio.Future[None]] = {}  # folder -> its first answer applied
        self._tasks: set[asyncio.Task] = set()  # every task the server starts, so none is collected mid-flight
        self.catalog_seen: Any = None  # the catalog last logged (lsp/catalog_status.py)
        self.catalog_updating = False  # [catalog] auto_update_days: its task was spawned (catalog_status.py)

    def spawn(self, coroutine: Any) -> asyncio.Task:
        """Start a background task and keep a reference to it until it ends: the one way the server
        starts a task (pygls starts the handlers' own); close() cancels what is still running."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- settings before routing ------------------------------------------------------------
    def expect_settings(self, folders: list[str]) -> None:
        """These folders' settings will come from workspace/configuration: requests wait for them."""
        loop = asyncio.get_event_loop()
        for folder in folders:
            key = self.folders.key(folder)
            if key not in self._settings_pending:
                self._settings_pending[key] = loop.create_future()

    def settings_arrived(self, folders: list[str]) -> None:
        for folder in folders:
            waiter = self._settings_pending.get(self.folders.key(folder))
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def settings_ready(self, uri: str) -> bool:
        waiter = self._settings_waiter(uri)[1]
        return waiter is None or waiter.done()

    def _settings_waiter(self, uri: str) -> tuple[str, asyncio.Future[None] | None]:
        """The innermost expected folder holding `uri` and its future (known from `initialize` on)."""
        best = ""
        for folder in self._settings_pending:
            if (uri == folder or uri.startswith(folder + "/")) and len(folder) > len(best):
                best = folder
        return best, self._settings_pending.get(best)

    async def wait_for_settings(self, uri: str) -> None:
        """Until the folder of `uri` has its first workspace/configuration answer, at most SETTINGS_WAIT_S;
        then the defaults serve (logged once per folder) until the answer comes."""
        folder, waiter = self._settings_waiter(uri)
        if waiter is None or waiter.done():
            return
        try:
            await asyncio.wait_for(asyncio.shield(waiter), SETTINGS_WAIT_S)
        except TimeoutError:
            if not waiter.done():
                waiter.set_result(None)
                floor = self.folders.settings_for(uri).min_coding_score
                self.log(f"codefloor: {folder}: no workspace/configuration answer within {SETTINGS_WAIT_S:g} s; "
                         f"using the defaults (minCodingScore {floor:g}) until it comes", types.MessageType.Warning)

    async def settings_for(self, uri: str):
        """The folder's settings once they are known (see wait_for_settings)."""
        await self.wait_for_settings(uri)
        return self.folders.settings_for(uri)

    # -- router -----------------------------------------------------------------------------
    def start_router(self) -> None:
        if self._router is None:
            self._router = self.spawn(asyncio.to_thread(self._build_router))

    def _build_router(self) -> Router:
        from codefloor.router import Router  # heavy imports: not on the initialize path

        return Router.from_environment(env=self.env)

    async def router(self) -> Router:
        self.start_router()
        assert self._router is not None
        try:
            return await asyncio.shield(self._router)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # ConfigError / CatalogError name the file and field
            raise RouterUnavailable(f"codefloor cannot route requests: {exc}") from None

    async def report_router_problem(self) -> None:
        """Say once, right after start-up, when the router cannot be built (e.g. a broken user
        config); requests then fail with the same message and the server keeps serving."""
        from codefloor.lsp.catalog_status import note_catalog, start_auto_update

        try:
            router = await self.router()
        except RouterUnavailable as exc:
            self.show(str(exc))
            return
        note_catalog(self, router.catalog)
        start_auto_update(self, router.config.catalog.auto_update_days)

    def router_if_ready(self) -> Router | None:
        if self._router is not None and self._router.done() and not self._router.cancelled() and not self._router.exception():
            return self._router.result()
        return None

    async def close(self) -> None:
        router = self.router_if_ready()
        for task in list(self._tasks):  # the catalog update, a settings pull: nothing to finish at shutdown
            task.cancel()
        if router is not None:
            await router.aclose()

    # -- documents --------------------------------------------------------------------------
    def open_document(self, uri: str) -> TextDocument | None:
        """The document as the editor has it open, or None (never opened, or closed). pygls would
        read an unknown URI from disk instead; codefloor only reads and edits what the editor owns."""
        return self.workspace.text_documents.get(unquote(uri))

    def not_open(self, uri: str, what: str) -> None:
        self.show(f"codefloor: {what}: {uri} is not open in the editor; nothing was changed. Open it and try again.", types.MessageType.Warning)

    # -- client capabilities ----------------------------------------------------------------
    def client_supports(self, *path: str) -> Any:
        """Walk client capabilities by attribute names; None when any step is missing."""
        node: Any = self.client_capabilities
        for name in path:
            node = getattr(node, name, None)
            if node is None:
                return None
        return node

    # -- messages ---------------------------------------------------------------------------
    def show(self, message: str, kind: types.MessageType = types.MessageType.Error) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))


def create_server(env: dict[str, str] | None = None) -> CodefloorServer:
    from codefloor.lsp.features import code_actions, commands, completion, configuration, documents, hover, inline_completion

    server = CodefloorServer(env=env)
    for feature in (configuration, documents, code_actions, inline_completion, completion, hover, commands):
        feature.register(server)
    return server


def serve_stdio(server: CodefloorServer) -> None:
    """LSP over stdin/stdout, framed by lsp/framing.py (resynchronises after a bad frame, caps the
    length) and read from an asyncio pipe reader on this loop: pygls' stdio reader takes a
    thread-pool trip per header line and per body (+0.2 ms per round trip and +30% server CPU in
    the editor-session benchmark, docs/benchmarks.md). Where stdin is no pipe (a file), a thread
    reads it for the same framing.

    Checked against pygls 2.1.1: `exit` ends the process through SystemExit; end of input ends the loop."""
    import sys

    from pygls.io_ import StdoutWriter

    server.protocol.set_writer(StdoutWriter(sys.stdout.buffer))
    stdin = sys.stdin.buffer

    async def serve() -> None:
        if _watchable(stdin):
            reader = asyncio.StreamReader()
            await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
            await run_framed(reader.read, server.protocol)
        else:
            await run_framed(lambda n: asyncio.to_thread(stdin.read1, n), server.protocol)

    try:
        asyncio.run(serve())
    except BrokenPipeError:
        log.error("the client closed the connection; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass  # `exit` from the client ends the process through SystemExit, as in pygls
    finally:
        server.shutdown()


def serve_tcp(server: CodefloorServer, host: str, port: int) -> None:
    """LSP over TCP (one client at a time, as pygls' start_tcp), framed by the same run_framed.
    Logs "Serving on ('host', port)" at INFO, which `codefloor serve --tcp` repeats on stderr."""

    listening: list[asyncio.Server] = []

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server.protocol.set_writer(writer)
        await run_framed(reader.read, server.protocol)
        listening[0].close()  # the client is gone: stop, as pygls' start_tcp does

    async def listen() -> None:
        tcp = await asyncio.start_server(connection, host, port)
        listening.append(tcp)
        log.info("Serving on %s", ", ".join(str(sock.getsockname()) for sock in tcp.sockets))
        async with tcp:
            await tcp.serve_forever()

    try:
        asyncio.run(listen())
    except (KeyboardInterrupt, SystemExit, asyncio.CancelledError):
        pass
    finally:
        server.shutdown()


def _watchable(stream: Any) -> bool:
    """A pipe or socket: what the event loop can read without a thread."""
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)
