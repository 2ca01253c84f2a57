"""A client's odd answer to the server's own request (issue 13, item 11): `workspace/configuration`
answered with `null` or `5` gave "Error in server: Invalid Params"; now the folder keeps its
defaults, nothing pops up, the server goes on serving."""

from __future__ import annotations

import json
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


async def test_infinity_in_action_data_is_malformed_action_data_not_an_internal_error(tmp_path, closed_port):
    """JSON's `Infinity` (Python's json reads it) where a line number goes: OverflowError before."""
    with FakeServer("openai") as fake:
        client = await RawClient(harness.server_env(tmp_path, fake, closed_port)).start()
        try:
            folder = tmp_path / "w"
            client.settings[folder.as_uri()] = {"minCodingScore": 50}
            await client.initialize([folder])
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "m.py").write_text(STUB, encoding="utf-8")
            uri = client.open(folder / "m.py", STUB)
            [generate] = [a for a in await _list(client, uri) if a["title"].startswith("Generate body")]
            body = json.dumps({"jsonrpc": "2.0", "id": 900, "method": "codeAction/resolve",
                               "params": {**generate, "data": {**generate["data"], "line": "LINE"}}})
            client.send_raw(body.replace('"LINE"', "Infinity").encode())
            assert await client.wait_for(lambda: any(m.get("id") == 900 for m in client.messages), 10)
            [answer] = [m for m in client.messages if m.get("id") == 900]
            assert "error" not in answer, answer  # not -32603
            assert any("malformed action data" in m for m in client.shown()), client.shown()
        finally:
            await client.stop()
