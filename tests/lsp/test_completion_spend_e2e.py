"""completion.maxCostPerHourUsd through the real `codefloor serve` against a loopback fake OpenAI:
automatic completions pause while the folder's rolling hour of completion spend (ledger rows, any
process) has reached the limit, invoked ones still run, and they resume once the spend has left the
hour; routing for completions prefers models inside the per-completion cap. Time is injected through
the ledger's rows (their timestamps), never slept."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from lsprotocol import types

from codefloor.ledger import FILE_NAME, Ledger
from tests.fakes.behaviour import ok
from tests.lsp import harness
from tests.unit.ledger.test_ledger import attempt

DOC = "# 日本語 🎉\ndef area(r):\n    return 3.14 * \n"
AUTOMATIC, INVOKED = types.InlineCompletionTriggerKind.Automatic, types.InlineCompletionTriggerKind.Invoked


def inline(uri: str, kind: types.InlineCompletionTriggerKind, line: int, character: int) -> types.InlineCompletionParams:
    return types.InlineCompletionParams(
        context=types.InlineCompletionContext(trigger_kind=kind), text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=line, character=character))


def texts(result) -> list[str]:
    items = result.items if isinstance(result, types.InlineCompletionList) else (result or [])
    return [i.insert_text for i in items]


def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / FILE_NAME  # CODEFLOOR_DATA_DIR of harness.server_env


def spend_elsewhere(tmp_path: Path, folder: str, rows: list[tuple[dt.datetime, float]]) -> list[int]:
    """Completion spend another codefloor process recorded in the shared ledger; the new row ids."""
    ledger = Ledger(ledger_path(tmp_path))
    try:
        for when, cost in rows:
            ledger.record(attempt(cost=cost), folder=folder, task="completion", at=when)
        return [row["id"] for row in ledger.rows()[-len(rows):]]
    finally:
        ledger.close()


def age(tmp_path: Path, ids: list[int], seconds: float) -> None:
    """Move those rows `seconds` into the past: the clock the rolling hour reads is theirs."""
    with sqlite3.connect(ledger_path(tmp_path)) as db:
        for row_id in ids:
            (at,) = db.execute("SELECT at_utc FROM attempts WHERE id = ?", (row_id,)).fetchone()
            moved = dt.datetime.fromisoformat(at) - dt.timedelta(seconds=seconds)
            db.execute("UPDATE attempts SET at_utc = ? WHERE id = ?", (moved.isoformat(timespec="milliseconds"), row_id))
    db.close()


async def start(make_client, folder: Path, settings: dict):
    client = await make_client()
    client.set_configuration(settings, section="codefloor", scope_uri=folder.as_uri())
    await harness.initialize(client, harness.capabilities("visual-studio-code"), {"w": folder})
    return client


async def test_the_cost_per_hour_of_use_comes_from_the_ledger_before_any_completion(tmp_path, make_client, fake):
    folder = tmp_path / "w"
    now = dt.datetime.now(dt.UTC)
    # A minute apart, then a night off: $0.04 for 2 min + 5 min (the gap's cap) of use.
    spend_elsewhere(tmp_path, folder.as_uri(), [(now - dt.timedelta(hours=20, minutes=2), 0.01),
                                                (now - dt.timedelta(hours=20, minutes=1), 0.01),
                                                (now - dt.timedelta(hours=20), 0.01),
                                                (now - dt.timedelta(minutes=1), 0.01)])
    spend_elsewhere(tmp_path, (tmp_path / "elsewhere").as_uri(), [(now - dt.timedelta(minutes=2), 5.0)])
    client = await start(make_client, folder, {"minCodingScore": 40})
    await harness.eventually(lambda: client.spends, what="a codefloor/completionSpend notification")
    [spend] = client.spends
    use = spend["perHourOfUse"]
    assert spend["folder"] == folder.as_uri() and spend["lastHour"] is None and fake.requests == []
    assert use["usdPerHour"] == pytest.approx(0.04 / (7 / 60), rel=1e-3) and use["attempts"] == 4
    assert use["text"] == ("$0.343/h of use over the last 7 days ($0.04 for 0.12 h of use, from 4 completion attempts "
                           "in the ledger)")


async def test_automatic_completions_pause_at_the_hourly_limit_invoked_ones_run_and_they_resume(tmp_path, make_client, fake):
    folder = tmp_path / "w"
    now = dt.datetime.now(dt.UTC)
    seeded = spend_elsewhere(tmp_path, folder.as_uri(), [(now - dt.timedelta(minutes=40), 0.30),
                                                          (now - dt.timedelta(minutes=20), 0.30)])
    settings = {"minCodingScore": 40, "completion": {"debounceMs": 0, "maxCostPerHourUsd": 0.5}}
    client = await start(make_client, folder, settings)
    uri = harness.open_doc(client, folder / "geo.py", DOC)
    fake.set_default(ok("r * r"))

    # Over the limit: the status says so once settings are in, and why and until when.
    await harness.eventually(lambda: client.spends, what="a codefloor/completionSpend notification")
    spend = client.spends[-1]
    hour = spend["lastHour"]
    assert spend["folder"] == folder.as_uri()
    assert hour["paused"] is True and hour["limitUsd"] == 0.5 and hour["spentUsd"] == pytest.approx(0.6)
    # The hour drops to $0.30 when the older $0.30 leaves it, an hour after it was spent.
    resumes = dt.datetime.fromisoformat(hour["resumesAt"])
    assert abs(resumes - (now + dt.timedelta(minutes=20))) < dt.timedelta(seconds=1)
    assert f"they resume by themselves at {resumes:%H:%M:%S} UTC" in hour["text"]
    assert "$0.6 spent on completions in this folder in the last hour" in hour["text"]
    assert spend["perHourOfUse"]["attempts"] == 2 and "in the ledger" in spend["perHourOfUse"]["text"]

    # Keystrokes ask no model, and the log says it once, not per keystroke.
    assert texts(await client.text_document_inline_completion_async(inline(uri, AUTOMATIC, 2, 18))) == []
    assert texts(await client.text_document_inline_completion_async(inline(uri, AUTOMATIC, 1, 12))) == []
    assert fake.requests == []
    assert harness.logged(client, "automatic completions paused") == 1

    # An invoked completion still runs, and its status still says paused.
    sent = len(client.spends)
    assert texts(await client.text_document_inline_completion_async(inline(uri, INVOKED, 2, 18))) == ["r * r"]
    assert len(fake.requests) == 1
    await harness.eventually(lambda: len(client.spends) > sent, what="the spend after the invoked completion")
    assert client.spends[-1]["lastHour"]["paused"] is True and client.spends[-1]["lastHour"]["attempts"] == 3

    # The hour passes (the seeded spend is now older than it): the next keystroke is served again.
    age(tmp_path, seeded, 3600)
    sent = len(client.spends)
    assert texts(await client.text_document_inline_completion_async(inline(uri, AUTOMATIC, 2, 4))) == ["r * r"]
    assert len(fake.requests) == 2
    assert harness.logged(client, "automatic completions resume") == 1
    await harness.eventually(lambda: len(client.spends) > sent, what="the spend after resuming")
    assert client.spends[-1]["lastHour"]["paused"] is False and client.spends[-1]["lastHour"]["resumesAt"] is None

    # A bad value is reported and the previous limit kept: spend within the hour pauses again.
    client.set_configuration({**settings, "completion": {"debounceMs": 0, "maxCostPerHourUsd": "lots"}},
                             section="codefloor", scope_uri=folder.as_uri())
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    problem = "setting 'completion.maxCostPerHourUsd' = 'lots' ignored: expected a number >= 0 or null"
    await harness.eventually(lambda: any(problem in m.message for m in client.messages), what="the bad value reported")
    age(tmp_path, seeded, -3600)
    assert texts(await client.text_document_inline_completion_async(inline(uri, AUTOMATIC, 1, 4))) == []
    assert len(fake.requests) == 2
    assert harness.logged(client, "automatic completions paused") == 2


async def test_completion_routing_prefers_models_inside_the_per_completion_cap(tmp_path, make_client, fake):
    """Policy strongest picks a bundled OpenAI model costing >= $0.0001 a completion here; the test
    models cost < $0.000001. A limit of $0.0036/h allows $0.00001 a completion (at least 360 an hour
    expected): the strongest inside it is test-strong. A limit nothing fits is dropped, and said so."""
    client = await make_client()
    folders = {name: tmp_path / name for name in ("free", "capped", "tiny")}
    limits = {"free": None, "capped": 0.0036, "tiny": 0.00000036}
    for name, folder in folders.items():
        client.set_configuration({"minCodingScore": 40, "policy": "strongest",
                                  "completion": {"debounceMs": 0, "maxCostPerHourUsd": limits[name]}},
                                 section="codefloor", scope_uri=folder.as_uri())
    await harness.initialize(client, harness.capabilities("visual-studio-code"), folders)
    fake.set_default(ok("r * r"))
    served = {}
    for name, folder in folders.items():
        uri = harness.open_doc(client, folder / "geo.py", DOC)
        sent = len(client.statuses)
        assert texts(await client.text_document_inline_completion_async(inline(uri, INVOKED, 2, 18))) == ["r * r"]
        await harness.eventually(lambda: len(client.statuses) > sent, what=f"the status of {name}")
        served[name] = harness.plain(client.statuses[-1])

    assert served["free"]["model"] not in ("test-cheap", "test-strong") and "per-completion cap" not in served["free"]["reason"]
    assert served["capped"]["model"] == "test-strong"
    assert served["capped"]["reason"].endswith(
        "; within the per-completion cap $0.00001 (completion.maxCostPerHourUsd $0.0036 / 360 completions an hour expected)")
    assert served["tiny"]["model"] == served["free"]["model"]  # the unconstrained decision
    assert "; no eligible model fits the per-completion cap $0.000000001 (" in served["tiny"]["reason"]
    assert served["tiny"]["reason"].endswith(", so it was not applied")
