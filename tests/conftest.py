"""Shared fixtures: loopback fake providers and the real llama.cpp server (started once per session)."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codefloor.config import UserConfig, embedded_model_path
from tests.fakes.server import FakeServer


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory, monkeypatch) -> None:
    """In-process code (load_catalog(), the ledger) never reads or writes the developer's own data dir:
    a `codefloor catalog update` run on this machine must not change what the tests see."""
    monkeypatch.setenv("CODEFLOOR_DATA_DIR", str(tmp_path_factory.mktemp("data")))


@pytest.fixture
def fake_provider() -> Iterator[Callable[..., FakeServer]]:
    """Factory: fake_provider("anthropic") -> a started FakeServer, stopped after the test."""
    started: list[FakeServer] = []

    def start(wire: str = "openai", **kw) -> FakeServer:
        server = FakeServer(wire, **kw).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def embedded_gguf() -> Path:
    """The GGUF the embedded route uses: SmolLM2-135M-Instruct, fetched once (embedded_model.fetch)."""
    from codefloor.embedded_model import fetch

    path = embedded_model_path(UserConfig()) or fetch()
    assert path.is_file(), f"no embedded GGUF at {path}"
    return path


@pytest.fixture(scope="session")
def llamacpp_server(embedded_gguf: Path) -> Iterator[str]:
    """The real llama.cpp HTTP server (llama.cpp's own server, from xllamacpp) on the embedded GGUF,
    in a subprocess. Yields its OpenAI-compatible base URL (ending in /v1)."""
    log = tempfile.NamedTemporaryFile("w+", prefix="llamacpp-server-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.llamacpp.server", "--model", str(embedded_gguf), "--n-ctx", "2048", "--threads", "1"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
    )
    try:
        address = proc.stdout.readline().strip()  # printed once the model is loaded
        if not address.startswith("http://"):
            proc.wait(timeout=10)
            log.seek(0)
            pytest.fail(f"llama.cpp server did not start ({proc.returncode}):\n{log.read()[-2000:]}")
        yield address + "/v1"
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)
