"""Raw bytes through the real `codefloor serve` process (issue 13, items 3, 4 and 11): one bad frame
never makes the server deaf, and a body that cannot be read as JSON-RPC is answered (where its id
can be read) or reported, never a popup with Python internals."""

from __future__ import annotations

import json

import pytest

from tests.reliability.rawlsp import RawClient
from tests.reliability.scenarios_hardening import BAD_FRAMES


def _body(message: dict) -> bytes:
    return json.dumps({"jsonrpc": "2.0", **message}, ensure_ascii=False).encode("utf-8")


def _hover(n: int) -> dict:
    # a hover for a document that is not open: answered (null) without any model involved
    return {"id": n, "method": "textDocument/hover",
            "params": {"textDocument": {"uri": f"file:///nowhere/名前-{n}.py"}, "position": {"line": 0, "character": 0}}}


async def _started(env: dict[str, str]) -> RawClient:
    client = await RawClient(env).start()
    await client.initialize([])
    return client


def _answer(client: RawClient, msg_id) -> dict | None:
    return next((m for m in client.messages if "method" not in m and m.get("id") == msg_id), None)


def _popups(client: RawClient) -> list[str]:
    return [text for text in client.shown() if "Error in server" in text or "Traceback" in text or "codec" in text]


BAD_HEADERS = BAD_FRAMES  # the same bad frames the reliability table counts


@pytest.mark.parametrize("case", list(BAD_HEADERS))
async def test_after_a_bad_frame_later_requests_are_answered(env, case):
    client = await _started(env)
    try:
        client.send_bytes(BAD_HEADERS[case](_body(_hover(100))))
        answers = [await client.request("textDocument/hover", _hover(0)["params"], timeout=10) for _ in range(3)]
        assert [a.get("result", "missing") for a in answers] == [None, None, None]
        assert client.alive
    finally:
        await client.stop()
    if case in ("negative", "not a number", "10^14"):
        assert "a frame with Content-Length" in client.stderr_text()  # the bad header, logged, not read
    if case == "absent":
        assert "not part of an LSP frame" in client.stderr_text()  # the frame without a length, logged
    assert not _popups(client)


async def test_a_frame_split_after_a_bad_one_is_still_read(env):
    # resynchronising never reads past a header that is split across writes
    client = await _started(env)
    try:
        stream = b"Content-Length: 999999999999999\r\n\r\nxx" + b"Content-Length: %d\r\n\r\n" % len(_body(_hover(7))) + _body(_hover(7))
        for i in range(0, len(stream), 3):
            client.send_bytes(stream[i : i + 3])
        assert await client.wait_for(lambda: _answer(client, 7) is not None, 10)
        assert _answer(client, 7)["result"] is None
    finally:
        await client.stop()


async def test_a_did_change_that_is_not_utf8_forgets_the_document_and_says_so(env, tmp_path):
    client = await _started(env)
    try:
        uri = client.open(tmp_path / "m.py", "x = 1\n")
        change = _body({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "y = 2\n"}]}})
        client.send_raw(change.replace(b"y = 2", b"y = \xff\xfe"))
        assert await client.wait_for(lambda: any("m.py" in text and "UTF-8" in text for text in client.shown()), 10), client.shown()
        # the document is forgotten: a code action for it is not computed from the stale text
        listing = await client.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": []}}, timeout=10)
        assert listing.get("result") in (None, [])
        assert client.alive
    finally:
        await client.stop()
    assert not _popups(client)


BAD_REQUESTS = {
    "invalid UTF-8": (_body(_hover(41)).replace("名前".encode(), b"\xff\xfe\xfd"), 41, -32700),
    "5,000-digit integer": (_body(_hover(42)).replace(b'"line": 0', b'"line": ' + b"9" * 5000), 42, -32700),
    "too deep": (_body({**_hover(43), "params": {**_hover(43)["params"], "x": "NEST"}}).replace(b'"NEST"', b"[" * 100000 + b"]" * 100000), 43, None),
}


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
async def test_a_request_that_is_not_readable_json_gets_a_parse_error(env, case):
    body, msg_id, code = BAD_REQUESTS[case]
    client = await _started(env)
    try:
        client.send_raw(body)
        if code is None:  # no id can be read without parsing 100,000 levels: said in the client's log
            logged = lambda: [m for m in client.messages if m.get("method") == "window/logMessage" and "nested too deeply" in m["params"]["message"]]
            assert await client.wait_for(logged, 10), client.messages[-3:]
        else:
            assert await client.wait_for(lambda: _answer(client, msg_id) is not None, 10), client.messages[-3:]
            error = _answer(client, msg_id)["error"]
            assert error["code"] == code and "codefloor" in error["message"] and "Traceback" not in error["message"]
        assert (await client.request("textDocument/hover", _hover(0)["params"], timeout=10))["result"] is None
    finally:
        await client.stop()
    assert not _popups(client)


async def test_a_batch_gets_invalid_request_for_each_request_in_it(env):
    client = await _started(env)
    try:
        client.send_raw(b"[" + _body(_hover(51)) + b"," + _body(_hover(52)) + b"]")
        assert await client.wait_for(lambda: _answer(client, 51) and _answer(client, 52), 10), client.messages[-3:]
        assert {_answer(client, n)["error"]["code"] for n in (51, 52)} == {-32600}
        assert "batch" in _answer(client, 51)["error"]["message"]
        assert (await client.request("textDocument/hover", _hover(0)["params"], timeout=10))["result"] is None
    finally:
        await client.stop()
    assert not _popups(client)


def test_tcp_goes_through_the_same_framing(env):
    """`serve --tcp --port 0` says where it listens, and a bad frame on the socket is skipped as on stdio."""
    import re
    import socket
    import subprocess
    import sys

    from tests.lsp.test_serve_cli import _read_message

    proc = subprocess.Popen([sys.executable, "-m", "codefloor", "serve", "--tcp", "--port", "0"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        port = None
        while port is None:  # bounded by the process: a server that dies ends stderr
            line = proc.stderr.readline().decode()
            assert line, "the TCP server ended before saying where it listens"
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            port = found and int(found.group(1))
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            initialize = _body({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
            conn.sendall(b"Content-Length: 100000000000000\r\n\r\n" + initialize + b"Content-Length: %d\r\n\r\n" % len(initialize) + initialize)
            answer = json.loads(_read_message(conn.makefile("rb")))
        assert answer["id"] == 1 and answer["result"]["serverInfo"]["name"] == "codefloor"
    finally:
        proc.terminate()
        proc.wait(10)
