from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from pytest_lsp import LanguageClient

from tests.fakes.server import FakeServer
from tests.lsp import harness


@pytest.fixture
def fake() -> FakeServer:
    server = FakeServer("openai").start()
    yield server
    server.stop()


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def env(tmp_path: Path, fake: FakeServer, closed_port: int) -> dict[str, str]:
    return harness.server_env(tmp_path, fake, closed_port)


@pytest_asyncio.fixture
async def make_client(env: dict[str, str]) -> AsyncIterator[Callable]:
    """Factory for started clients (the server process is stopped after the test)."""
    started: list[LanguageClient] = []

    async def make(extra_env: dict[str, str] | None = None) -> LanguageClient:
        client = await harness.start({**env, **(extra_env or {})})
        started.append(client)
        return client

    yield make
    for client in started:
        await client.shutdown_session()
        await client.stop()
