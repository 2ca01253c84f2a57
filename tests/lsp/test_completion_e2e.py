"""Inline completion (advertised, FIM request routed by the completion floor), the completion
fallback for clients without inline completion, and cancellation that closes the upstream request."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types

from tests.fakes.behaviour import hang, ok, slow_start
from tests.lsp import harness

PREFIX_DOC = "# 日本語 🎉\ndef area(r):\n    return 3.14 * \n"


def at(uri: str, line: int, character: int):
    return dict(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character))


async def setup(client, tmp_path, caps, settings) -> str:
    folder = tmp_path / "w"
    client.set_configuration(settings, section="codefloor", scope_uri=folder.as_uri())
    await harness.initialize(client, caps, {"w": folder})  # requests wait for the folder's settings
    return harness.open_doc(client, folder / "geo.py", PREFIX_DOC)


async def test_inline_completion_is_advertised_and_uses_the_completion_floor(tmp_path, make_client, fake):
    client = await make_client()
    caps = harness.capabilities("visual-studio-code")
    uri = await setup(client, tmp_path, caps, {"minCodingScore": 80, "completion": {"minCodingScore": 40, "debounceMs": 0}})
    assert client.capabilities is caps
    fake.script(ok("```python\nr * r\n```"))
    params = types.InlineCompletionParams(
        context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked), **at(uri, 2, 18)
    )
    result = await client.text_document_inline_completion_async(params)
    items = result.items if isinstance(result, types.InlineCompletionList) else result
    assert [i.insert_text for i in items] == ["r * r"]
    assert fake.last.body["model"] == "test-cheap-wire"  # completion floor 40, not the action floor 80
    prompt = fake.last.body["messages"][-1]["content"] if "messages" in fake.last.body else fake.last.body.get("prompt", "")
    assert "return 3.14 * " in prompt and "日本語" in prompt

    # The same context again is served from the cache: no second upstream call.
    calls = len(fake.requests)
    again = await client.text_document_inline_completion_async(params)
    assert len(fake.requests) == calls and again is not None


async def test_completion_fallback_for_clients_without_inline_completion(tmp_path, make_client, fake):
    client = await make_client()
    uri = await setup(client, tmp_path, harness.capabilities("neovim", inline=False), {"minCodingScore": 40})
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"codefloor": {"minCodingScore": 40}}))
    fake.script(ok("r * r"))
    result = await client.text_document_completion_async(types.CompletionParams(**at(uri, 2, 18)))
    [item] = result.items
    assert item.text_edit.new_text == "r * r" and item.text_edit.range.start == types.Position(line=2, character=18)


async def test_cancelling_an_inline_completion_aborts_the_upstream_request(tmp_path, make_client, fake):
    client = await make_client()
    uri = await setup(client, tmp_path, harness.capabilities("visual-studio-code"), {"minCodingScore": 40, "completion": {"debounceMs": 0}})
    fake.script(hang(30))
    params = types.InlineCompletionParams(
        context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked), **at(uri, 2, 18)
    )
    pending = asyncio.ensure_future(
        client.protocol.send_request_async(types.TEXT_DOCUMENT_INLINE_COMPLETION, params, msg_id="inline-1")
    )
    for _ in range(100):
        if fake.requests:
            break
        await asyncio.sleep(0.05)
    assert fake.requests, "the upstream request never started"
    client.cancel_request(types.CancelParams(id="inline-1"))
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(pending, 10)
    for _ in range(100):
        if fake.last.disconnected:
            break
        await asyncio.sleep(0.05)
    assert fake.last.disconnected and not fake.last.completed
    # The server is still serving.
    fake.script(ok("r * r"))
    result = await client.text_document_inline_completion_async(params)
    assert result is not None


async def test_a_newer_completion_supersedes_the_one_in_flight(tmp_path, make_client, fake):
    client = await make_client()
    uri = await setup(client, tmp_path, harness.capabilities("visual-studio-code"), {"minCodingScore": 40, "completion": {"debounceMs": 0}})
    fake.script(hang(30), ok("r * r"))
    params = types.InlineCompletionParams(
        context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Automatic), **at(uri, 2, 18)
    )
    first = asyncio.ensure_future(client.text_document_inline_completion_async(params))
    for _ in range(100):
        if fake.requests:
            break
        await asyncio.sleep(0.05)
    second = await client.text_document_inline_completion_async(params)
    assert [i.insert_text for i in second.items] == ["r * r"]
    with pytest.raises(Exception, match="cancel"):
        await asyncio.wait_for(first, 10)
    for _ in range(100):  # the fake notices the closed socket on its next poll
        if fake.requests[0].disconnected:
            break
        await asyncio.sleep(0.05)
    assert fake.requests[0].disconnected and not fake.requests[0].completed


async def test_debounce_lets_a_burst_of_keystrokes_cost_one_upstream_call(tmp_path, make_client, fake):
    client = await make_client()
    uri = await setup(client, tmp_path, harness.capabilities("visual-studio-code"), {"minCodingScore": 40, "completion": {"debounceMs": 400}})
    fake.set_default(ok("r * r"))
    params = types.InlineCompletionParams(
        context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Automatic), **at(uri, 2, 18)
    )
    burst = [asyncio.ensure_future(client.text_document_inline_completion_async(params)) for _ in range(3)]
    results = await asyncio.gather(*burst, return_exceptions=True)
    assert sum(isinstance(r, Exception) for r in results) == 2  # the superseded ones were cancelled while waiting
    assert [i.insert_text for i in results[-1].items] == ["r * r"]
    assert len(fake.requests) == 1


async def test_a_slow_route_leaves_the_folders_completion_pool(tmp_path, make_client, fake):
    """completion.maxLatencyMs from the editor: after one slow answer the next completion goes to
    the dearer model, whose route has no measurement yet (its prior is within the budget)."""
    client = await make_client()
    settings = {"minCodingScore": 40, "completion": {"debounceMs": 0, "maxLatencyMs": 1000}}
    uri = await setup(client, tmp_path, harness.capabilities("visual-studio-code"), settings)
    fake.script(slow_start(1.5, "r * r"), ok("r ** 2"))
    invoked = types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked)
    first = await client.text_document_inline_completion_async(types.InlineCompletionParams(context=invoked, **at(uri, 2, 18)))
    assert fake.last.body["model"] == "test-cheap-wire" and first is not None
    second = await client.text_document_inline_completion_async(types.InlineCompletionParams(context=invoked, **at(uri, 2, 18)))
    items = second.items if isinstance(second, types.InlineCompletionList) else second
    assert fake.last.body["model"] == "test-strong-wire"  # the cheap route took 1.5 s > 1 s
    assert [i.insert_text for i in items] == ["r ** 2"]
