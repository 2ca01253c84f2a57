"""The first code-action listing of a large file parses it whole (seconds), in slices: requests
behind it are answered meanwhile instead of waiting for the parse, and the listing still comes
with the actions of the function under the cursor."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from tests.lsp import harness
from tests.lsp.test_routing_e2e import cursor, list_actions, ready


async def test_a_hover_behind_the_first_listing_of_a_large_file_does_not_wait_for_its_parse(tmp_path, make_client):
    client = await make_client()
    folder = tmp_path / "big"
    await ready(client, {"big": folder}, {"big": 40}, harness.capabilities("visual-studio-code"))
    text = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(60_000)) + "def stub(name):\n    pass\n"
    uri = harness.open_doc(client, folder / "big.py", text)
    stub_line = text.count("\n") - 2
    small = harness.open_doc(client, folder / "small.py", "X = 1\n")
    await list_actions(client, small, 0)  # the router and settings are ready: only the parse is left

    done: list[str] = []

    async def listing() -> list[types.CodeAction]:
        actions = await list_actions(client, uri, stub_line)
        done.append("listing")
        return actions

    async def hover() -> None:
        await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=cursor(0).start))
        done.append("hover")

    listed = asyncio.create_task(listing())
    await asyncio.sleep(0)  # the listing is written to the pipe first
    await hover()
    actions = await listed
    assert done == ["hover", "listing"]  # 60,000 functions take ~0.5-2 s to parse; a hover ~1 ms
    assert any(a.title.startswith("Generate body · test-cheap") for a in actions)
