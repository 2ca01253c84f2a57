"""codefloor.explainRouting and codefloor.usage over workspace/executeCommand, and bad arguments."""

from __future__ import annotations

import json

from lsprotocol import types

from tests.fakes.behaviour import ok
from tests.lsp import harness
from tests.lsp.test_routing_e2e import BODY, STUB, list_actions, ready


async def test_explain_routing_and_usage_after_a_routed_request(tmp_path, make_client, fake):
    client = await make_client()
    folders = {"w": tmp_path / "w"}
    await ready(client, folders, {"w": 80}, harness.capabilities("visual-studio-code"))
    uri = harness.open_doc(client, folders["w"] / "m.py", STUB)

    explained = await client.workspace_execute_command_async(types.ExecuteCommandParams(command="codefloor.explainRouting", arguments=[uri]))
    assert explained["folder"] == folders["w"].as_uri() and explained["floor"] == 80 and explained["task"] == "action"
    [chosen] = [row for row in explained["candidates"] if row["chosen"]]
    assert chosen["card"]["id"] == "test-strong" and chosen["route"]["provider"] == "openai"
    cheap = next(row for row in explained["candidates"] if row["card"]["id"] == "test-cheap")
    assert not cheap["eligible"] and cheap["why_not"]
    json.dumps(explained)  # plain JSON all the way down

    [generate] = [a for a in await list_actions(client, uri, 2) if a.title.startswith("Generate body")]
    fake.script(ok(BODY))
    await client.code_action_resolve_async(generate)
    usage = await client.workspace_execute_command_async(types.ExecuteCommandParams(command="codefloor.usage", arguments=[]))
    assert usage["attempts"] == 1 and usage["total_usd"] > 0
    assert [row for row in usage["by_model"] if "test-strong" in json.dumps(row)]
    assert harness.FAKE_KEY not in json.dumps(usage)


async def test_bad_command_arguments_get_a_message_and_the_server_keeps_serving(tmp_path, make_client, fake):
    client = await make_client()
    folders = {"w": tmp_path / "w"}
    await ready(client, folders, {"w": 40}, harness.capabilities("visual-studio-code"))
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(command="codefloor.editSelection", arguments=["only-a-uri"]))
    assert result == {"applied": False}
    assert any("expects [uri, range, instruction]" in m.message for m in client.messages)
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(command="codefloor.usage", arguments=["yesterday"]))
    assert result is None and any("ISO date" in m.message for m in client.messages)
    uri = harness.open_doc(client, folders["w"] / "m.py", STUB)
    assert await list_actions(client, uri, 2)


async def test_an_empty_instruction_is_refused_before_anything_is_sent(tmp_path, make_client, fake):
    client = await make_client()
    folders = {"w": tmp_path / "w"}
    await ready(client, folders, {"w": 40}, harness.capabilities("visual-studio-code"))
    uri = harness.open_doc(client, folders["w"] / "m.py", STUB)
    selection = {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}
    for instruction in ("", "   \n"):
        result = await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="codefloor.editSelection", arguments=[uri, selection, instruction]))
        assert result == {"applied": False}
    assert [m.message for m in client.messages].count("codefloor: codefloor.editSelection needs an instruction (its third argument)") == 2
    assert fake.requests == []
