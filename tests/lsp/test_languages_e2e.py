"""Every language end to end through `codefloor serve` with a loopback provider: Generate body is
listed on the stub (and not outside functions), an answer that breaks the file is a failed attempt
that falls back to the next model (above the floor), and the edit applied is the good answer's body
with the document's line endings."""

from __future__ import annotations

import pytest
from lsprotocol import types

from tests.fakes.behaviour import ok
from tests.lsp import harness
from tests.lsp.test_routing_e2e import list_actions, ready
from tests.unit.actions.samples import SAMPLES


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.key for s in SAMPLES])
async def test_generate_body_in_every_language(tmp_path, make_client, fake, sample):
    client = await make_client()
    folders = {"w": tmp_path / "w"}
    await ready(client, folders, {"w": 40}, harness.capabilities("visual-studio-code"))
    text = sample.text.replace("\n", "\r\n")  # CRLF: the edit must keep it
    path = folders["w"] / sample.path.rsplit("/", 1)[-1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id=sample.language_id, version=1, text=text))
    )
    assert [a for a in await list_actions(client, uri, sample.outside)] == []
    [generate] = [a for a in await list_actions(client, uri, sample.stub) if a.title.startswith("Generate body")]
    assert generate.title == "Generate body · test-cheap (45 ≥ 40)"

    fake.script(ok(sample.bad_answer), ok(sample.body_answer))
    resolved = await client.code_action_resolve_async(generate)
    models = [r.body["model"] for r in fake.requests]
    assert models == ["test-cheap-wire", "test-strong-wire"]  # the broken answer failed its attempt; fallback above the floor
    lang_prompt = fake.requests[0].body["messages"][1]["content"]
    assert sample.stub_name in lang_prompt
    after = harness.apply_text_edits(text, harness.edits_for(resolved.edit, uri))
    assert sample.body_line + "\r\n" in after and after.count("\n") == after.count("\r\n")
