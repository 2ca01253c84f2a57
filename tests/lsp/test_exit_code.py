"""`exit` without `shutdown` ends the server with status 1, as LSP says; after `shutdown` (its
answer received, as clients do), 0 (issue 13, item 11)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def frame(message: dict) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_until(stream, needle: bytes) -> bytes:
    seen = b""
    while needle not in seen:
        chunk = stream.read1(65536)
        assert chunk, f"the server closed stdout before {needle!r}: {seen[-300:]!r}"
        seen += chunk
    return seen


@pytest.mark.parametrize(("shutdown", "status"), [(True, 0), (False, 1)])
def test_exit_status_follows_shutdown(shutdown, status, tmp_path):
    server = subprocess.Popen([sys.executable, "-m", "codefloor", "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, env={"CODEFLOOR_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    try:
        server.stdin.write(frame({"id": 1, "method": "initialize",
                                  "params": {"processId": None, "rootUri": None, "capabilities": {}}}))
        server.stdin.write(frame({"method": "initialized", "params": {}}))
        server.stdin.flush()
        read_until(server.stdout, b'"id": 1')
        if shutdown:
            server.stdin.write(frame({"id": 2, "method": "shutdown", "params": None}))
            server.stdin.flush()
            read_until(server.stdout, b'"id": 2')
        server.stdin.write(frame({"method": "exit", "params": None}))
        server.stdin.flush()
        assert server.wait(timeout=60) == status
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
