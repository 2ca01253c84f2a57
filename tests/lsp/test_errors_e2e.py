"""Bad settings, nothing eligible, a failing provider: the user is told what to do, nothing is
applied, and the server keeps serving."""

from __future__ import annotations


import pytest
from lsprotocol import types

from tests.fakes.behaviour import ok, status
from tests.lsp import harness
from tests.lsp.test_routing_e2e import BODY, STUB, list_actions, ready


@pytest.mark.parametrize("client_name", harness.CLIENTS)
async def test_invalid_settings_are_reported_and_the_server_keeps_working(tmp_path, make_client, fake, client_name):
    client = await make_client()
    folder = tmp_path / "w"
    client.set_configuration({"minCodingScore": 150, "openaiBaseUrl": "http://attacker.example"}, section="codefloor", scope_uri=folder.as_uri())
    await harness.initialize(client, harness.capabilities(client_name), {"w": folder})
    await harness.eventually(lambda: len(client.messages) >= 2, what="the settings problems shown")
    texts = [m.message for m in client.messages]
    assert any("minCodingScore" in t and "150" in t and "0 to 100" in t for t in texts), texts
    assert any("openaiBaseUrl" in t and "cannot set endpoints" in t for t in texts), texts
    assert not any("attacker.example" in t for t in texts)

    uri = harness.open_doc(client, folder / "m.py", STUB)
    titles = [a.title for a in await list_actions(client, uri, 2)]
    assert "Generate body · test-cheap (45 ≥ 50)" not in titles  # the default floor 50 is kept
    assert any(t.startswith("Generate body · ") for t in titles)

    client.set_configuration({"minCodingScore": 40}, section="codefloor", scope_uri=folder.as_uri())
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await harness.eventually(lambda: harness.logged(client, "minCodingScore 40"), what="the new settings pulled")
    assert "Generate body · test-cheap (45 ≥ 40)" in [a.title for a in await list_actions(client, uri, 2)]


async def test_nothing_eligible_and_all_routes_failed_say_what_to_do(tmp_path, make_client, fake):
    client = await make_client()
    folders = {"top": tmp_path / "top", "w": tmp_path / "w", "low": tmp_path / "low"}
    await ready(client, folders, {"top": 99.5, "w": 80, "low": 40}, harness.capabilities("visual-studio-code"))
    top = harness.open_doc(client, folders["top"] / "m.py", STUB)
    listed = await list_actions(client, top, 2)
    assert listed == [] or all(a.disabled is not None for a in listed)

    edit_args = [top, {"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 8}}, "return a greeting"]
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(command="codefloor.editSelection", arguments=edit_args))
    assert result == {"applied": False}
    assert any("99.5" in m.message and m.type == types.MessageType.Error for m in client.messages)
    assert fake.requests == []  # nothing was sent anywhere

    uri = harness.open_doc(client, folders["w"] / "m.py", STUB)
    [generate] = [a for a in await list_actions(client, uri, 2) if a.title.startswith("Generate body")]
    fake.set_default(status(500, "upstream exploded"))
    resolved = await client.code_action_resolve_async(generate)
    assert resolved.edit is None
    assert any("Nothing was changed" in m.message and "test-strong" in m.message for m in client.messages)

    fake.set_default(ok(BODY))  # the server still serves (test-cheap was never tried: below floor 80)
    low = harness.open_doc(client, folders["low"] / "m.py", STUB)
    [generate] = [a for a in await list_actions(client, low, 2) if a.title.startswith("Generate body")]
    resolved = await client.code_action_resolve_async(generate)
    assert resolved.edit is not None and fake.last.body["model"] == "test-cheap-wire"


async def test_a_broken_user_config_is_reported_and_the_server_keeps_answering(tmp_path, make_client, env):
    (tmp_path / "config.toml").write_text("[budget]\ndaily_usd = 'lots'\n", encoding="utf-8")
    client = await make_client()
    folder = tmp_path / "w"
    await harness.initialize(client, harness.capabilities("visual-studio-code"), {"w": folder})
    await harness.eventually(lambda: any("config.toml" in m.message for m in client.messages), what="the config problem shown")
    assert any("config.toml" in m.message and "daily_usd" in m.message for m in client.messages), client.messages
    uri = harness.open_doc(client, folder / "m.py", STUB)
    assert await list_actions(client, uri, 2) == []  # nothing to offer without a router, but an answer
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=0, character=0))
    )
    assert hover is None


async def test_budget_reached_says_how_to_raise_it_and_sends_nothing(tmp_path, make_client, fake):
    config = tmp_path / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[budget]\ndaily_usd = 0.0000000001\n", encoding="utf-8")
    client = await make_client()
    folders = {"w": tmp_path / "w"}
    await ready(client, folders, {"w": 40}, harness.capabilities("visual-studio-code"))
    uri = harness.open_doc(client, folders["w"] / "m.py", STUB)
    [generate] = [a for a in await list_actions(client, uri, 2) if a.title.startswith("Generate body")]
    resolved = await client.code_action_resolve_async(generate)
    assert resolved.edit is None and fake.requests == []
    assert any("budget" in m.message and "daily_usd" in m.message and "Nothing was changed" in m.message for m in client.messages), client.messages
