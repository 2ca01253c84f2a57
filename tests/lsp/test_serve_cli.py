"""`codefloor serve` transports and initializationOptions."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

from lsprotocol import types

from tests.lsp import harness
from tests.lsp.test_routing_e2e import STUB, list_actions


def _message(payload: dict) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read_message(stream) -> bytes:
    length = None
    while (line := stream.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    assert length is not None, "no Content-Length header before the connection closed"
    return stream.read(length)


def test_serve_over_tcp_answers_initialize(env, closed_port):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "codefloor", "serve", "--tcp", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "the TCP server did not start"
                time.sleep(0.1)
        with conn:
            conn.sendall(_message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}}))
            answer = json.loads(_read_message(conn.makefile("rb")))
        assert answer["id"] == 1 and answer["result"]["serverInfo"]["name"] == "codefloor"
        assert answer["result"]["capabilities"]["codeActionProvider"]["resolveProvider"] is True
    finally:
        proc.terminate()
        proc.wait(10)


async def test_initialization_options_set_the_floor_for_clients_without_configuration(tmp_path, make_client, fake):
    client = await make_client()
    caps = harness.capabilities("visual-studio-code")
    caps.workspace.configuration = False
    folder = tmp_path / "w"
    await harness.initialize(client, caps, {"w": folder}, init_options={"codefloor": {"minCodingScore": 40}})
    uri = harness.open_doc(client, folder / "m.py", STUB)
    assert "Generate body · test-cheap (45 ≥ 40)" in [a.title for a in await list_actions(client, uri, 2)]
    assert not client.messages
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"codefloor": {"minCodingScore": 80}}))
    assert "Generate body · test-strong (85 ≥ 80)" in [a.title for a in await list_actions(client, uri, 2)]
