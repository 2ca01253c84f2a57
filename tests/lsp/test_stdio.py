"""`codefloor serve` frames JSON-RPC on stdin however the bytes arrive: split anywhere, several in
one write, a header block without Content-Length skipped, a body that is not JSON reported without
stopping the messages after it. (lsp/framing.py does the framing, for stdio and TCP alike; tests/lsp/test_framing.py: bad frames.)"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.lsp.test_serve_cli import _read_message


def frame(message: dict) -> bytes:
    body = json.dumps(message, ensure_ascii=False).encode("utf-8")
    return f"Content-Length: {len(body)}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n".encode() + body


def _serve(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "codefloor", "serve"], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _answers(proc: subprocess.Popen, count: int) -> list[dict]:
    found: list[dict] = []
    while len(found) < count:
        message = json.loads(_read_message(proc.stdout))
        if "id" in message and "method" not in message:
            found.append(message)
    return found


def _stop(proc: subprocess.Popen) -> str:
    proc.stdin.close()
    proc.wait(20)
    return proc.stderr.read().decode("utf-8", "replace")


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}}


def _hover(n: int) -> dict:
    # a hover for a document that is not open: answered (null) without any model involved
    return {"jsonrpc": "2.0", "id": n, "method": "textDocument/hover",
            "params": {"textDocument": {"uri": f"file:///nowhere/名前-{'👋' * n}.py"}, "position": {"line": 0, "character": 0}}}


def test_messages_are_framed_whatever_the_writes_look_like(env):
    proc = _serve(env)
    try:
        stream = frame(INITIALIZE) + b"".join(frame(_hover(n)) for n in range(2, 6))
        for i in range(0, len(stream), 7):  # 7-byte writes split headers, bodies and UTF-8 sequences
            proc.stdin.write(stream[i : i + 7])
            proc.stdin.flush()
        assert [a["id"] for a in _answers(proc, 5)] == [1, 2, 3, 4, 5]
    finally:
        _stop(proc)


def test_a_bad_frame_is_skipped_and_reported_and_the_next_one_is_handled(env):
    proc = _serve(env)
    try:
        proc.stdin.write(frame(INITIALIZE) + b"X-Nothing: 1\r\n\r\n" + b"Content-Length: 5\r\n\r\n{nope" + frame(_hover(2)))
        proc.stdin.flush()
        answers = _answers(proc, 2)
        assert [a["id"] for a in answers] == [1, 2] and answers[1]["result"] is None
    finally:
        stderr = _stop(proc)
    assert "it is not JSON" in stderr and "not part of an LSP frame" in stderr  # both logged; the server went on
