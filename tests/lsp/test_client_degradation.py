"""Clients that lack something codefloor offers (the ones tests/editors/ drive for real: eglot,
lsp-mode, ALE) get a clean fallback: pushed settings are confirmed in the log, hovers in plain
text for plain-text clients and after whole-document syncs, and a refused workspace/applyEdit is
reported instead of lost."""

from __future__ import annotations

import asyncio
import time

from lsprotocol import types

from tests.fakes.behaviour import ok
from tests.lsp import harness
from tests.lsp.test_routing_e2e import BODY, STUB, list_actions


async def until(what: str, condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        await asyncio.sleep(0.02)
    return value


def ale_like(caps: types.ClientCapabilities) -> types.ClientCapabilities:
    """What Vim's ALE 3.3 advertises that matters here: no configuration pull, no resolve, plain-text hovers."""
    caps.workspace.configuration = False
    caps.text_document.code_action.resolve_support = None
    caps.text_document.hover = types.HoverClientCapabilities(content_format=[types.MarkupKind.PlainText])
    return caps


async def pushed(client, folder, floor: int) -> None:
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"codefloor": {"minCodingScore": floor}}))
    await until("the server to confirm the pushed floor", lambda: any(f"minCodingScore {floor}" in m.message for m in client.log_messages))


async def test_pushed_settings_plain_text_hover_and_whole_document_sync(tmp_path, make_client, fake):
    client = await make_client()
    folder = tmp_path / "w"
    await harness.initialize(client, ale_like(harness.capabilities("neovim", inline=False)), {"w": folder})
    client.initialized(types.InitializedParams())
    await pushed(client, folder, 80)
    uri = harness.open_doc(client, folder / "m.py", STUB)

    [generate] = [a for a in await list_actions(client, uri, 2) if a.title.startswith("Generate body")]
    assert generate.title == "Generate body · test-strong (85 ≥ 80)" and generate.command is not None
    fake.script(ok(BODY))
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=generate.command.command, arguments=generate.command.arguments)
    )
    [params] = await until("workspace/applyEdit", lambda: client.applied_edits)
    new_text = harness.apply_text_edits(STUB, harness.edits_for(params.edit, uri))
    assert "こんにちは" in new_text.split("\n")[2]

    # ALE sends the whole text as one change, with a line added on top since
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="import os\n" + new_text)],
        )
    )
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=3, character=5))
    )
    assert hover is not None and hover.contents.kind == types.MarkupKind.PlainText
    assert "test-strong" in hover.contents.value and "floor 80" in hover.contents.value
    assert "**" not in hover.contents.value and "`" not in hover.contents.value
    moved_away = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=1, character=5))
    )
    assert moved_away is None  # line 1 is the `def` line now: codefloor did not write it


async def test_an_editor_refusing_the_edit_with_an_error_is_told_to_the_user(tmp_path, make_client, fake):
    client = await make_client()

    def refuse(params: types.ApplyWorkspaceEditParams):
        raise RuntimeError("Server wants to edit: user said no")

    client.protocol.fm.features[types.WORKSPACE_APPLY_EDIT] = refuse  # an error reply, as eglot sends
    folder = tmp_path / "w"
    await harness.initialize(client, ale_like(harness.capabilities("neovim", inline=False)), {"w": folder})
    client.initialized(types.InitializedParams())
    await pushed(client, folder, 80)
    uri = harness.open_doc(client, folder / "m.py", STUB)
    [generate] = [a for a in await list_actions(client, uri, 2) if a.title.startswith("Generate body")]
    fake.script(ok(BODY))
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=generate.command.command, arguments=generate.command.arguments)
    )
    message = await until("the warning", lambda: [m for m in client.messages if "did not apply" in m.message])
    assert message[0].type == types.MessageType.Warning and "nothing was changed" in message[0].message
