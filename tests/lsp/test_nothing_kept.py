"""Per-message state is forgotten once the message is handled (issue 13, item 13: RSS grew about
1 MB per 200 requests; benchmarks/lsp/memory.py measures the whole server)."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from codefloor.lsp.reporting import Progress
from codefloor.lsp.server import create_server


class _Sink:
    def write(self, data) -> None:
        pass


def _server():
    server = create_server()
    server.protocol.set_writer(_Sink())
    return server


def test_a_notification_handled_by_a_generator_leaves_no_future_behind():
    """pygls' own didOpen/didChange/didClose are generator handlers; each kept a Future for ever."""
    protocol = _server().protocol

    def handler(params):
        yield from ()

    for _ in range(100):
        protocol._execute_handler(msg_id=f"n{_}", handler=handler, callback=protocol._check_handler_result, args=(None,))
    assert protocol._request_futures == {}


async def test_a_finished_progress_leaves_no_token_behind():
    server = _server()
    server.protocol.client_capabilities = types.ClientCapabilities(window=types.WindowClientCapabilities(work_done_progress=True))
    for _ in range(50):
        starting = asyncio.ensure_future(Progress.start(server, "Generate body"))
        for _turn in range(100):  # until the create request is out (a few loop turns)
            if server.protocol._request_futures:
                break
            await asyncio.sleep(0)
        for msg_id in list(server.protocol._request_futures):  # the client accepts the token
            server.protocol._handle_response(msg_id, None)
        bar = await asyncio.wait_for(starting, 5)
        assert bar.token is not None
        bar.report("streaming")
        bar.end("done")
    assert server.work_done_progress.tokens == {} and server.protocol._request_futures == {}
