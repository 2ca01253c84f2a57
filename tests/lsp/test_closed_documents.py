"""State does not outlive a closed document (issue 13, item 13): after close and reopen with other
text, hover no longer says "codefloor wrote this" on a line it never wrote."""

from __future__ import annotations

from lsprotocol import types

from tests.fakes.behaviour import ok
from tests.lsp import harness
from tests.lsp.test_routing_e2e import BODY, STUB, list_actions, ready

OTHER = "import os\n\nprint(os.getcwd())\nprint('written by the user')\n"


async def hover(client, uri: str, line: int):
    return await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=2)))


async def test_hover_forgets_what_codefloor_wrote_once_the_document_is_closed(tmp_path, make_client, fake):
    client = await make_client()
    folders = {"high": tmp_path / "high"}
    await ready(client, folders, {"high": 80}, harness.capabilities("visual-studio-code"))
    uri = harness.open_doc(client, folders["high"] / "b.py", STUB)
    [generate] = [a for a in await list_actions(client, uri, 2) if a.title.startswith("Generate body")]
    fake.script(ok(BODY))
    await client.code_action_resolve_async(generate)
    assert await hover(client, uri, 2) is not None  # codefloor wrote line 2

    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=OTHER)))
    assert await hover(client, uri, 2) is None
