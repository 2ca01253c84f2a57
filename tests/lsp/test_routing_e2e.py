"""End to end through `codefloor serve`: per-folder floors pick different models, the title names
the model the provider then sees, edits are versioned and UTF-16 correct, status/progress/hover."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from lsprotocol import types

from tests.fakes.behaviour import drip, ok
from tests.lsp import harness

STUB = 'def greet(name: str) -> str:\n    """Say hi 👋 to 名前 (CJK + emoji before the edit)."""\n    pass\n\n\nX = "末尾 🎉"\n'
BODY = '```python\ndef greet(name: str) -> str:\n    return f"こんにちは {name} 👋"\n```'


def cursor(line: int, col: int = 4) -> types.Range:
    return types.Range(start=types.Position(line=line, character=col), end=types.Position(line=line, character=col))


async def list_actions(client, uri: str, line: int, diagnostics=None) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=cursor(line),
            context=types.CodeActionContext(diagnostics=diagnostics or []),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


async def ready(client, folders: dict[str, Path], floors: dict[str, float], caps) -> types.InitializeResult:
    for name, floor in floors.items():
        client.set_configuration({"minCodingScore": floor, "completion": {"debounceMs": 0}}, section="codefloor", scope_uri=folders[name].as_uri())
    result = await harness.initialize(client, caps, folders)
    if caps.workspace.configuration is not True:  # clients without pull get settings pushed
        for name, floor in floors.items():
            client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"codefloor": {"minCodingScore": floor}}))
    return result  # no wait: a request that needs a folder's settings waits for them (server.py)


@pytest.mark.parametrize("client_name", harness.CLIENTS)
async def test_two_folders_two_floors_two_models_and_the_provider_sees_the_promised_one(tmp_path, make_client, fake, client_name):
    client = await make_client()
    folders = {"low": tmp_path / "low", "high": tmp_path / "high"}
    result = await ready(client, folders, {"low": 40, "high": 80}, harness.capabilities(client_name))
    encoding = result.capabilities.position_encoding or "utf-16"
    assert result.capabilities.code_action_provider.resolve_provider is True

    low = harness.open_doc(client, folders["low"] / "a.py", STUB)
    high = harness.open_doc(client, folders["high"] / "b.py", STUB)
    low_actions = await list_actions(client, low, 2)
    high_actions = await list_actions(client, high, 2)
    assert "Generate body · test-cheap (45 ≥ 40)" in [a.title for a in low_actions]
    [generate] = [a for a in high_actions if a.title.startswith("Generate body")]
    assert generate.title == "Generate body · test-strong (85 ≥ 80)"
    assert generate.edit is None and list(generate.tags) == [types.CodeActionTag.LlmGenerated]
    assert fake.requests == []  # listing never calls a model

    fake.script(ok(BODY))
    resolved = await client.code_action_resolve_async(generate)
    assert fake.last.body["model"] == "test-strong-wire"
    assert harness.FAKE_KEY not in json.dumps(fake.last.headers)

    edits = harness.edits_for(resolved.edit, high)
    if resolved.edit.document_changes:
        [change] = [dc for dc in resolved.edit.document_changes if isinstance(dc, types.TextDocumentEdit)]
        assert change.text_document.version == 1  # only applies to the version it was computed for
    assert harness.apply_text_edits(STUB, edits, encoding) == STUB.replace("    pass\n", '    return f"こんにちは {name} 👋"\n')

    await harness.eventually(lambda: client.statuses, what="a codefloor/status notification")
    status = client.statuses[-1]
    status = status if isinstance(status, dict) else status._asdict()
    assert status["model"] == "test-strong" and status["floor"] == 80 and status["codingScore"] == 85
    assert status["folder"] == folders["high"].as_uri() and status["fallbacksTried"] == 0 and status["costUsd"] > 0
    begins = [r for reports in client.progress_reports.values() for r in reports if isinstance(r, types.WorkDoneProgressBegin)]
    assert any("test-strong (score 85 ≥ floor 80)" in (b.message or "") for b in begins)
    assert any("test-strong" in m.message for m in client.log_messages)

    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=high), position=types.Position(line=2, character=5))
    )
    assert hover is not None and "test-strong" in hover.contents.value and "85 ≥ floor 80" in hover.contents.value


async def test_command_fallback_without_resolve_applies_with_workspace_apply_edit(tmp_path, make_client, fake):
    client = await make_client()
    folders = {"w": tmp_path / "w"}
    await ready(client, folders, {"w": 40}, harness.capabilities("visual-studio-code", resolve=False))
    uri = harness.open_doc(client, folders["w"] / "m.py", STUB)
    [generate] = [a for a in await list_actions(client, uri, 2) if a.title.startswith("Generate body")]
    assert generate.command is not None and generate.command.command == "codefloor.applyAction"
    fake.script(ok(BODY))
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=generate.command.command, arguments=generate.command.arguments)
    )
    [applied] = client.applied_edits  # the command answers once the editor has answered applyEdit
    assert fake.last.body["model"] == "test-cheap-wire"
    assert 'こんにちは' in harness.apply_text_edits(STUB, harness.edits_for(applied.edit, uri))


async def test_document_changed_while_the_model_worked_applies_nothing(tmp_path, make_client, fake):
    client = await make_client()
    folders = {"w": tmp_path / "w"}
    await ready(client, folders, {"w": 40}, harness.capabilities("visual-studio-code"))
    uri = harness.open_doc(client, folders["w"] / "m.py", STUB)
    [generate] = [a for a in await list_actions(client, uri, 2) if a.title.startswith("Generate body")]
    fake.script(drip(150, BODY))
    pending = asyncio.ensure_future(client.code_action_resolve_async(generate))
    await harness.eventually(lambda: fake.requests, what="the model call")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangePartial(range=cursor(5, 0), text="# typing\n")],
        )
    )
    resolved = await asyncio.wait_for(pending, 20)
    assert resolved.edit is None
    assert any("changed while test-cheap worked" in m.message for m in client.messages)


@pytest.mark.parametrize("client_name", harness.CLIENTS)
async def test_write_tests_creates_the_test_file(tmp_path, make_client, fake, client_name):
    client = await make_client()
    folders = {"w": tmp_path / "w"}
    (folders["w"] / "tests").mkdir(parents=True)
    await ready(client, folders, {"w": 40}, harness.capabilities(client_name))
    uri = harness.open_doc(client, folders["w"] / "calc.py", "def add(a, b):\n    return a + b\n")
    [write] = [a for a in await list_actions(client, uri, 1) if a.title.startswith("Write tests")]
    fake.script(ok("```python\nfrom calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n```"))
    resolved = await client.code_action_resolve_async(write)
    test_uri = (folders["w"] / "tests" / "test_calc.py").as_uri()
    if not client.capabilities.workspace.workspace_edit.document_changes:  # e.g. Neovim: a plain edit map
        [edit] = resolved.edit.changes[test_uri]
        assert edit.new_text.startswith("from calc import add")
        return
    create, change = resolved.edit.document_changes
    assert isinstance(create, types.CreateFile) and create.uri == test_uri
    assert change.text_document.uri == test_uri and change.text_document.version is None
    assert change.edits[0].new_text.startswith("from calc import add")


async def test_a_hung_model_is_left_after_its_deadline_and_progress_and_status_say_which_served(tmp_path, make_client, fake, env):
    from tests.fakes.behaviour import hang

    config = Path(env["CODEFLOOR_CONFIG"])
    config.write_text(config.read_text(encoding="utf-8") + "\n[routing]\naction_first_byte_s = 0.5\n", encoding="utf-8")
    client = await make_client()
    folders = {"w": tmp_path / "w"}
    await ready(client, folders, {"w": 40}, harness.capabilities("visual-studio-code"))
    uri = harness.open_doc(client, folders["w"] / "m.py", STUB)
    [generate] = [a for a in await list_actions(client, uri, 2) if a.title.startswith("Generate body")]
    assert "test-cheap" in generate.title
    fake.script(hang(60), ok(BODY))  # test-cheap stays silent; the next eligible model answers
    resolved = await asyncio.wait_for(client.code_action_resolve_async(generate), 30)
    assert resolved.edit is not None
    reports = [r.message or "" for rs in client.progress_reports.values() for r in rs if isinstance(r, types.WorkDoneProgressReport)]
    said = [m for m in reports if m.startswith("test-cheap: no answer in 0.5 s ([routing] action_first_byte_s), trying ")]
    assert said, reports
    served = said[0].rsplit(" ", 1)[1]
    await harness.eventually(lambda: client.statuses, what="a codefloor/status notification")
    status = client.statuses[-1]
    status = status if isinstance(status, dict) else status._asdict()
    assert status["model"] == served != "test-cheap" and status["fallbacksTried"] == 1
    assert status["reason"].startswith(f"fallback: {served} served after test-cheap (ProviderTimeout) failed")
