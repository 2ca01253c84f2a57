"""A running `codefloor serve` takes up a new catalog in the data dir without a restart."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from lsprotocol import types

from codefloor.catalog.build import BUNDLED_CATALOG
from tests.fakes.behaviour import ok
from tests.lsp import harness
from tests.lsp.test_routing_e2e import BODY, STUB, list_actions

NEWCOMER = {
    "id": "test-newcomer", "display_name": "Test Newcomer", "coding_score": 90.0, "score_source": "aider-polyglot",
    "score_date": "2026-11-20", "score_setting": "default", "raw_scores": {"aider-polyglot": 90.0},
    "context_window": 32000, "max_output_tokens": 4096, "capabilities": ["streaming"], "deprecation_date": None,
    "open_weights": False,
    "routes": [{"provider": "openai", "model_name": "test-newcomer-wire", "input_price_per_mtok": 0.0001,
                "output_price_per_mtok": 0.0002, "supports_fim": False}],
}


async def wait_for_log(client, text: str, timeout: float = 60.0) -> None:
    """Until a window/logMessage containing `text` has arrived (no fixed sleep: each turn waits for the next one)."""
    async with asyncio.timeout(timeout):
        while not any(text in m.message for m in client.log_messages):
            await client.wait_for_notification(types.WINDOW_LOG_MESSAGE)


async def explain(client, uri: str) -> dict:
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(command="codefloor.explainRouting", arguments=[uri]))


def land_catalog(data_dir: Path, *cards: dict, as_of: str = "2026-12-01") -> None:
    """What `codefloor catalog update` does at its end: a new file renamed over <data dir>/catalog.json."""
    document = json.loads(BUNDLED_CATALOG.read_text(encoding="utf-8"))
    document["as_of"] = as_of
    document["downloads"] = {"openrouter": {"url": "http://127.0.0.1/openrouter", "fetched": as_of}}
    document["models"] = [*document["models"], *cards]
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = data_dir / ".catalog.json.tmp"
    tmp.write_text(json.dumps(document), encoding="utf-8")
    os.replace(tmp, data_dir / "catalog.json")


async def test_a_model_that_lands_in_the_data_dir_is_routed_without_a_restart(tmp_path, make_client, fake, env):
    client = await make_client()
    folders = {"w": tmp_path / "w"}
    client.set_configuration({"minCodingScore": 80}, section="codefloor", scope_uri=folders["w"].as_uri())
    await harness.initialize(client, harness.capabilities("visual-studio-code"), folders)
    await wait_for_log(client, "minCodingScore 80")  # the folder's settings have arrived
    await wait_for_log(client, "routing with the catalog as of")  # the router is built
    uri = harness.open_doc(client, folders["w"] / "m.py", STUB)

    before = await explain(client, uri)
    assert [r["card"]["id"] for r in before["candidates"] if r["chosen"]] == ["test-strong"]
    assert before["catalog"]["origin"] == "bundled snapshot" and before["catalog"]["path"] == str(BUNDLED_CATALOG)
    assert "days old" in before["catalog"]["warning"]  # the bundled as_of is more than 30 days back

    land_catalog(Path(env["CODEFLOOR_DATA_DIR"]), NEWCOMER)
    # The server looks at the file at most every CHECK_EVERY_S (0.25 s): ask until it has (bounded).
    async with asyncio.timeout(30):
        while (after := await explain(client, uri))["catalog"]["asOf"] != "2026-12-01":
            pass
    assert [r["card"]["id"] for r in after["candidates"] if r["chosen"]] == ["test-newcomer"]
    assert after["catalog"]["asOf"] == "2026-12-01" and after["catalog"]["origin"] == "catalog update"
    assert after["catalog"]["path"] == str(Path(env["CODEFLOOR_DATA_DIR"]) / "catalog.json")
    # The user's [[models]] still merge into the new catalog.
    assert {"test-cheap", "test-strong"} <= {r["card"]["id"] for r in after["candidates"]}

    [generate] = [a for a in await list_actions(client, uri, 2) if a.title.startswith("Generate body")]
    assert generate.title == "Generate body · test-newcomer (90 ≥ 80)"
    fake.script(ok(BODY))
    await client.code_action_resolve_async(generate)
    assert fake.last.body["model"] == "test-newcomer-wire"
    await wait_for_log(client, "served by test-newcomer")
    status = client.statuses[-1]
    status = status if isinstance(status, dict) else status._asdict()
    catalog = status["catalog"] if isinstance(status["catalog"], dict) else status["catalog"]._asdict()
    assert status["model"] == "test-newcomer" and catalog["asOf"] == "2026-12-01"
    assert any("now routing with the catalog as of 2026-12-01" in m.message for m in client.log_messages)


async def test_a_broken_file_in_the_data_dir_falls_back_to_the_bundled_catalog_and_says_so(tmp_path, make_client, env):
    data = Path(env["CODEFLOOR_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    (data / "catalog.json").write_text('{"schema": 1, "models": [', encoding="utf-8")
    client = await make_client()
    folders = {"w": tmp_path / "w"}
    client.set_configuration({"minCodingScore": 80}, section="codefloor", scope_uri=folders["w"].as_uri())
    await harness.initialize(client, harness.capabilities("visual-studio-code"), folders)
    await wait_for_log(client, "routing with the catalog as of")
    uri = harness.open_doc(client, folders["w"] / "m.py", STUB)
    result = await explain(client, uri)
    assert result["catalog"]["origin"] == "bundled snapshot"
    assert str(data / "catalog.json") in result["catalog"]["warning"] and "not a readable catalog" in result["catalog"]["warning"]
    assert [r["card"]["id"] for r in result["candidates"] if r["chosen"]] == ["test-strong"]


async def test_auto_update_days_refreshes_in_the_background_and_the_server_follows(tmp_path, make_client, env):
    import datetime as dt

    from tests.fakes.sources import SourceServer, bundled_bodies

    bodies = bundled_bodies()
    prices = json.loads(bodies["litellm"])
    prices["gpt-9-mini"] = {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-12,
                            "output_cost_per_token": 2e-12, "max_input_tokens": 200000, "max_output_tokens": 32000}
    runs = bodies["aider_polyglot"].decode() + ("- model: gpt-9-mini\n  command: aider --model gpt-9-mini\n"
                                                "  date: 2026-11-20\n  pass_rate_2: 90.0\n  edit_format: diff\n")
    sources = SourceServer({**bodies, "litellm": json.dumps(prices).encode(), "aider_polyglot": runs.encode()}).start()
    try:
        config = Path(env["CODEFLOOR_CONFIG"])
        config.write_text(harness.USER_CONFIG + "\n[catalog]\nauto_update_days = 7\n" + sources.config_toml(), encoding="utf-8")
        client = await make_client()
        folders = {"w": tmp_path / "w"}
        client.set_configuration({"minCodingScore": 80}, section="codefloor", scope_uri=folders["w"].as_uri())
        await harness.initialize(client, harness.capabilities("visual-studio-code"), folders)
        await wait_for_log(client, "minCodingScore 80")
        await wait_for_log(client, "background catalog update: openrouter updated", timeout=120)
        uri = harness.open_doc(client, folders["w"] / "m.py", STUB)
        async with asyncio.timeout(30):
            while (result := await explain(client, uri))["catalog"]["origin"] != "catalog update":
                pass
        assert result["catalog"]["asOf"] == dt.date.today().isoformat()
        assert [r["card"]["id"] for r in result["candidates"] if r["chosen"]] == ["gpt-9-mini"]
        assert {r.path for r in sources.requests} == {"openrouter", "aider_polyglot", "swebench", "litellm"}
    finally:
        sources.stop()
