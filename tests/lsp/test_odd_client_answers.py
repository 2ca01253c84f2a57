"""A client's odd answer to the server's own request (issue 13, item 11): `workspace/configuration`
answered with `null` or `5` gave "Error in server: Invalid Params"; now the folder keeps its
defaults, nothing pops up, the server goes on serving."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.server import FakeServer
from tests.lsp import harness
from tests.reliability.rawlsp import RawClient
from tests.reliability.scenarios_faults import STUB
from tests.reliability.scenarios_load import _list


@pytest.mark.parametrize("odd", [None, 5, "x", {"a": 1}])
async def test_an_odd_configuration_answer_keeps_defaults_quietly(odd, tmp_path, closed_port):
    with FakeServer("openai") as fake:
        client = await RawClient(harness.server_env(tmp_path, fake, closed_port)).start()
        try:
            client.fixed_results["workspace/configuration"] = odd
            folder = tmp_path / "w"
            await client.initialize([folder])
            assert await client.wait_for(
                lambda: any(m.get("method") == "workspace/configuration" for m in client.messages), 10)
            (folder).mkdir(parents=True, exist_ok=True)
            path = Path(folder / "m.py")
            path.write_text(STUB, encoding="utf-8")
            uri = client.open(path, STUB)
            actions = await _list(client, uri)
            assert any(a["title"].startswith("Generate body") for a in actions), (actions, client.shown())  # still serving
            assert not [m for m in client.shown() if "Error in server" in m], client.shown()
        finally:
            await client.stop()
