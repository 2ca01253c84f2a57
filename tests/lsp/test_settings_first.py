"""Settings before routing: a client that answers workspace/configuration slowly still gets its
folder's floor on the very first request; one that never answers gets the defaults after a bounded
wait, and the log says so. And a late reply to a server->client request whose handler was cancelled
is dropped (pygls 2.1.1 raised from its message loop)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.fakes.server import FakeServer
from tests.lsp import harness
from tests.lsp.test_routing_e2e import STUB
from tests.reliability.rawlsp import RawClient


class SlowConfigClient(RawClient):
    """Holds its workspace/configuration answers until answer_later() (or for ever)."""

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(env)
        self.held: list[dict] = []

    def _dispatch(self, message: dict) -> None:
        if message.get("method") == "workspace/configuration":
            self.held.append(message)  # super()._dispatch records it when it answers
            return
        super()._dispatch(message)

    def answer_later(self, delay_s: float) -> None:
        held, self.held = self.held, []
        for message in held:
            asyncio.get_running_loop().call_later(delay_s, super()._dispatch, message)


def _listing(uri: str) -> dict:
    return {"textDocument": {"uri": uri}, "range": {"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 4}},
            "context": {"diagnostics": []}}


async def _session(tmp_path: Path, closed_port: int):
    fake = FakeServer("openai").start()
    client = SlowConfigClient(harness.server_env(tmp_path, fake, closed_port))
    folder = tmp_path / "w"
    folder.mkdir()
    client.settings[folder.as_uri()] = {"minCodingScore": 80}
    await client.start()
    await client.initialize([folder])
    uri = client.open(folder / "m.py", STUB)
    # codefloor.usage needs the router but no folder settings: once it answers, only the settings are missing
    await client.request("workspace/executeCommand", {"command": "codefloor.usage", "arguments": []})
    await harness.eventually(lambda: client.held, what="the workspace/configuration request")
    return client, fake, uri


async def test_the_first_request_waits_for_a_slow_configuration_answer(tmp_path, closed_port):
    client, fake, uri = await _session(tmp_path, closed_port)
    try:
        client.answer_later(0.5)
        listing = await client.request("textDocument/codeAction", _listing(uri))  # sent before the answer
        explain = await client.request("workspace/executeCommand", {"command": "codefloor.explainRouting", "arguments": [uri]})
        titles = [a["title"] for a in listing.get("result") or []]
        assert "Generate body · test-strong (85 ≥ 80)" in titles, titles  # before the fix: the default floor 50
        assert explain["result"]["floor"] == 80
        assert sum(m.get("method") == "workspace/configuration" for m in client.messages) == 1
    finally:
        await client.stop()
        fake.stop()


async def test_without_an_answer_the_defaults_serve_after_a_bounded_wait_and_the_log_says_so(tmp_path, closed_port):
    client, fake, uri = await _session(tmp_path, closed_port)
    try:
        loop = asyncio.get_running_loop()
        started = loop.time()
        explain = await client.request("workspace/executeCommand", {"command": "codefloor.explainRouting", "arguments": [uri]})
        waited = loop.time() - started
        assert explain["result"]["floor"] == 50  # the default floor
        assert 1.5 <= waited < 15, waited  # SETTINGS_WAIT_S is 2 s
        logs = [m["params"]["message"] for m in client.messages if m.get("method") == "window/logMessage"]
        assert any("no workspace/configuration answer within 2 s" in m and "minCodingScore 50" in m for m in logs), logs
        started = loop.time()  # the wait is over for this folder: the next request does not wait again
        await client.request("textDocument/codeAction", _listing(uri))
        assert loop.time() - started < 1.5
    finally:
        await client.stop()
        fake.stop()


def test_a_late_reply_to_a_cancelled_server_request_is_dropped():
    from lsprotocol import types

    from codefloor.lsp.server import create_server

    class Null:
        def write(self, data: bytes) -> None:
            pass

    server = create_server()
    protocol = server.protocol
    protocol.set_writer(Null())

    async def scenario() -> None:
        waiting = asyncio.ensure_future(server.workspace_configuration_async(types.ConfigurationParams(items=[])))
        await asyncio.sleep(0)
        [msg_id] = list(protocol._request_futures)
        waiting.cancel()  # the handler that awaited it was cancelled ($/cancelRequest)
        await asyncio.gather(waiting, return_exceptions=True)
        reply = protocol.structure_message({"jsonrpc": "2.0", "id": msg_id, "result": []})
        protocol.handle_message(reply)  # pygls 2.1.1 alone: InvalidStateError out of its message loop
        assert msg_id not in protocol._request_futures

    asyncio.run(scenario())
