"""Fault injection through the language server: seeded random schedules of every fault the fakes
support, over >= 1,000 routed requests (scale 1.0) in several `codefloor serve` sessions.

Each request is a code action (resolved, or applied with the applyAction command) or an inline
completion. Each must end with either the whole answer from a model at or above the floor, or a
clear message; an edit that is not exactly the full answer is a partial edit (lost). Afterwards
the ledger is lined up with what each fake served: every injected fault shows as the failed
attempt it should be, and every retryable failure cooled its route down for at least the
configured pause before the route served again (recovery).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types

from tests.fakes import behaviour as b
from tests.lsp import harness
from tests.reliability import provider_env as pe
from tests.reliability.report import Row

SEED = 20261126
REQUESTS_AT_FULL_SCALE = 1000
SESSION_REQUESTS = 125  # an auth failure benches its provider until restart: restart now and then
COMPLETION_SHARE = 0.25
FAULT_SHARE = 0.45  # of upstream calls
ANSWER_TIMEOUT_S = 30.0

STUB = 'def greet(name: str) -> str:\n    """Say hi 👋 to 名前."""\n    pass\n\n\nX = "末尾 🎉"\n'
BODY = '```python\ndef greet(name: str) -> str:\n    return f"こんにちは {name} 👋"\n```'
EXPECTED = STUB.replace("    pass\n", '    return f"こんにちは {name} 👋"\n')
COMPLETION_DOC = "def add(a: int, b: int) -> int:\n    return "

# label -> behaviour; "ok" is the healthy answer. Weights: 401 is rare (it benches a provider).
FAULTS: dict[str, b.Behaviour] = {
    "refuse connection": b.refuse(),
    "hang before answer (> timeout)": b.hang(2.0),
    "hang mid-stream (> timeout)": b.hang(2.0, after_chunks=2),
    "429 + Retry-After: 1": b.rate_limited("1"),
    "500": b.server_error(500),
    "503": b.server_error(503),
    "529 overloaded": b.overloaded(),
    "401 bad key": b.unauthorized(),
    "400 context too long": b.context_too_long(),
    "malformed JSON": b.malformed_json(1),
    "SSE cut mid-way": b.cut(2),
    "stream ends, no finish marker": b.cut(2, abrupt=False),
    "empty choices": b.empty_choices(),
    "error event in stream": b.stream_error(),
    "slow drip (20 ms/chunk)": b.drip(20),
}
RARE = {"401 bad key": 0.3}
# What the ledger must show for each label (slow drip and ok are served).
EXPECTED_KIND = {
    "ok": None, "slow drip (20 ms/chunk)": None,
    "refuse connection": "ProviderConnectionError", "hang before answer (> timeout)": "ProviderTimeout",
    "hang mid-stream (> timeout)": "ProviderTimeout", "429 + Retry-After: 1": "RateLimited", "500": "ServerError",
    "503": "ServerError", "529 overloaded": "Overloaded", "401 bad key": "AuthError",
    "400 context too long": "ContextTooLong", "malformed JSON": "MalformedResponse",
    "SSE cut mid-way": "StreamInterrupted", "stream ends, no finish marker": "StreamInterrupted",
    "empty choices": ("MalformedResponse", "ok: empty completion"), "error event in stream": ("Overloaded", "ServerError", "MalformedResponse"),
}
EMPTY_MIDDLE = "ok: empty completion"
NOT_COOLED = {"AuthError", "ContextTooLong", "BadRequest"}  # benched or skipped, never cooled down


@dataclass
class Tally:
    by_kind: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    notes: list[str] = field(default_factory=list)
    lost: Counter = field(default_factory=Counter)
    sessions: int = 0
    crashes: int = 0
    lined_up: list[tuple[str, dict]] = field(default_factory=list)  # (injected fault, its ledger row)

    def unanswered(self, counts: Counter, case: str, exc: BaseException) -> None:
        counts["unanswered"] += 1
        self.lost["unanswered"] += 1
        self.notes.append(f"{case}: {type(exc).__name__}: {exc}")


def schedule(rng: random.Random, n: int) -> list[str]:
    labels = list(FAULTS)
    weights = [RARE.get(label, 1.0) for label in labels]
    return [rng.choices(labels, weights)[0] if rng.random() < FAULT_SHARE else "ok" for _ in range(n)]


async def scenarios(scale: float) -> list[Row]:
    rows, tally = await run(scale)
    for note in tally.notes[:20]:
        print(f"faults: {note}", file=sys.stderr)
    return rows


async def run(scale: float) -> tuple[list[Row], Tally]:
    """The rows, and the tally behind them (for tests that assert on what was observed)."""
    total = max(40, round(REQUESTS_AT_FULL_SCALE * scale))
    rng = random.Random(SEED)
    tally = Tally()
    lined_up: list[tuple[str, dict]] = []  # (injected label, ledger row) for every upstream call
    with tempfile.TemporaryDirectory(prefix="codefloor-faults-") as tmp, pe.running_fakes(BODY) as fakes:
        env = pe.server_env(Path(tmp), fakes)
        scores = pe.scores_by_route(env)
        done = 0
        while done < total:
            n = min(SESSION_REQUESTS, total - done)
            lined_up += await _session(env, fakes, Path(tmp) / "w", n, rng, tally, resolve=tally.sessions % 2 == 0)
            done += n
        rows = pe.ledger_rows(env)
    tally.lined_up = lined_up
    return _rows(tally, lined_up, rows, scores, total), tally


async def _session(env: dict, fakes: pe.Fakes, folder: Path, n: int, rng: random.Random, tally: Tally, *, resolve: bool) -> list[tuple[str, dict]]:
    tally.sessions += 1
    fakes.reset()
    fakes.set_text(BODY)
    client = await harness.start(env)
    try:
        client.set_configuration({"minCodingScore": pe.FLOOR, "completion": {"debounceMs": 0}}, section="codefloor", scope_uri=folder.as_uri())
        await harness.initialize(client, harness.capabilities("visual-studio-code", resolve=resolve), {"w": folder})
        uri = harness.open_doc(client, folder / "m.py", STUB)
        completion_uri = harness.open_doc(client, folder / "c.py", COMPLETION_DOC)
        [action] = [a for a in await _list(client, uri) if a.title.startswith("Generate body")]
        expected_completion = await _complete(client, completion_uri, 1)  # healthy warm-up
        assert expected_completion, "warm-up completion failed: the fault run cannot start"
        ledger_start = len(pe.ledger_rows(env))
        offsets = [len(f.requests) for f in fakes.all()]
        plans = [schedule(rng, 3 * n) for _ in fakes.all()]
        for fake, plan in zip(fakes.all(), plans):
            fake.script(*(FAULTS.get(label, b.ok()) for label in plan))
        for i in range(n):
            if rng.random() < COMPLETION_SHARE:
                await _one_completion(client, completion_uri, i + 2, expected_completion, tally)
            else:
                await _one_action(client, action, uri, resolve, tally)
        alive = client._server is not None and client._server.returncode is None
    except Exception as exc:  # the server died under us, or the harness broke: a crash either way
        tally.crashes += 1
        tally.notes.append(f"session {tally.sessions}: {type(exc).__name__}: {exc}")
        alive = False
    finally:
        await client.shutdown_session()
        await client.stop()
    if not alive or (client._server is not None and client._server.returncode not in (0, None)):
        tally.crashes += 1
    for fake in fakes.all():
        fake.wait_idle()
    return _line_up(fakes, offsets, plans, pe.ledger_rows(env)[ledger_start:], tally)


async def _list(client, uri: str) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=2, character=4), end=types.Position(line=2, character=4)),
        context=types.CodeActionContext(diagnostics=[]),
    ))
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


async def _one_action(client, action: types.CodeAction, uri: str, resolve: bool, tally: Tally) -> None:
    case = "code action (resolve)" if resolve else "code action (applyAction + applyEdit)"
    counts = tally.by_kind[case]
    seen_messages, seen_status, seen_edits = len(client.messages), len(client.statuses), len(client.applied_edits)
    try:
        if resolve:
            resolved = await asyncio.wait_for(client.code_action_resolve_async(action), ANSWER_TIMEOUT_S)
            edit = resolved.edit
        else:
            params = types.ExecuteCommandParams(command=action.command.command, arguments=action.command.arguments)
            result = await asyncio.wait_for(client.workspace_execute_command_async(params), ANSWER_TIMEOUT_S)
            await asyncio.sleep(0)  # the applyEdit request precedes the reply on the wire
            edit = client.applied_edits[seen_edits].edit if result == {"applied": True} else None
    except Exception as exc:
        tally.unanswered(counts, case, exc)
        return
    counts["tried"] += 1
    if edit is None:
        said = [m.message for m in client.messages[seen_messages:]]
        if any(("Nothing was changed" in m or "nothing applied" in m) and "codefloor" in m for m in said):
            counts["clear error"] += 1
        else:
            counts["silent failure"] += 1
            tally.lost["silent failure"] += 1
            tally.notes.append(f"{case}: no edit and no message ({said})")
        return
    applied = harness.apply_text_edits(STUB, harness.edits_for(edit, uri))
    if applied != EXPECTED:
        counts["partial edit"] += 1
        tally.lost["partial edit"] += 1
        tally.notes.append(f"{case}: edit produced {applied!r}")
        return
    _check_status(client, seen_status, counts, tally, case)


def _check_status(client, seen_status: int, counts: Counter, tally: Tally, case: str) -> None:
    statuses = [s if isinstance(s, dict) else s._asdict() for s in client.statuses[seen_status:]]
    if not statuses:
        counts["served, no status"] += 1
        return
    status = statuses[-1]
    if status["codingScore"] < status["floor"] or status["floor"] != pe.FLOOR:
        counts["wrong floor"] += 1
        tally.lost["wrong floor"] += 1
        tally.notes.append(f"{case}: served by {status['model']} ({status['codingScore']} < {status['floor']})")
        return
    counts["served after fallback" if status["fallbacksTried"] else "served first try"] += 1


async def _complete(client, uri: str, version: int) -> str | None:
    text = f"# request {version}\n{COMPLETION_DOC}"
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
    ))
    result = await asyncio.wait_for(client.text_document_inline_completion_async(types.InlineCompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=2, character=len("    return ")),
        context=types.InlineCompletionContext(trigger_kind=types.InlineCompletionTriggerKind.Invoked),
    )), ANSWER_TIMEOUT_S)
    items = result.items if isinstance(result, types.InlineCompletionList) else (result or [])
    return items[0].insert_text if items else None


async def _one_completion(client, uri: str, version: int, expected: str, tally: Tally) -> None:
    case = "inline completion"
    counts = tally.by_kind[case]
    seen_messages, seen_logs, seen_status = len(client.messages), len(client.log_messages), len(client.statuses)
    try:
        text = await _complete(client, uri, version)
    except Exception as exc:
        tally.unanswered(counts, case, exc)
        return
    counts["tried"] += 1
    popups = client.messages[seen_messages:]
    if popups:
        counts["popup per keystroke"] += 1
        tally.notes.append(f"{case}: failure shown as a popup: {popups[0].message}")
    if text is None:
        logged = [m.message for m in client.log_messages[seen_logs:] if m.type in (types.MessageType.Warning, types.MessageType.Error)]
        if len(client.statuses) > seen_status:  # served, but the model had nothing to insert
            counts["served, nothing to insert"] += 1
            _check_status(client, seen_status, Counter(), tally, case)
        elif logged:
            counts["clear error (logged)"] += 1
        else:
            counts["silent failure"] += 1
            tally.lost["silent failure"] += 1
        return
    if text != expected:
        counts["partial completion"] += 1
        tally.lost["partial edit"] += 1
        tally.notes.append(f"{case}: got {text!r}, expected {expected!r}")
        return
    _check_status(client, seen_status, counts, tally, case)


def _line_up(fakes: pe.Fakes, offsets: list[int], plans: list[list[str]], rows: list[dict], tally: Tally) -> list[tuple[str, dict]]:
    """Pair each upstream call a fake received (and the fault it was given) with its ledger row."""
    paired: list[tuple[str, dict]] = []
    for fake, offset, plan in zip(fakes.all(), offsets, plans):
        calls = fake.requests[offset:]
        mine = [r for r in rows if fakes.for_provider(r["provider"]) is fake]
        if len(calls) != len(mine):
            tally.lost["ledger rows missing"] += abs(len(calls) - len(mine))
            tally.notes.append(f"{fake.wire} fake got {len(calls)} calls, ledger has {len(mine)} rows")
        for i, (call, row) in enumerate(zip(calls, mine)):
            label = plan[i] if i < len(plan) else "ok"
            wire_model = (call.body or {}).get("model") or call.path  # gemini names the model in the path
            row = {**row, "wire_model": wire_model, "session": tally.sessions}
            paired.append((label, row))
    return paired


def _rows(tally: Tally, lined_up: list[tuple[str, dict]], ledger: list[dict], scores: dict, total: int) -> list[Row]:
    rows: list[Row] = []
    for case, counts in tally.by_kind.items():
        shown = ", ".join(f"{k} {v}" for k, v in counts.items() if k not in ("tried", "unanswered") and v)
        lost = sum(counts[k] for k in ("unanswered", "silent failure", "partial edit", "partial completion", "wrong floor"))
        rows.append(Row("faults", case, counts["tried"] + counts["unanswered"], shown or "-", lost))

    observed: dict[str, Counter] = defaultdict(Counter)
    for label, row in lined_up:
        observed[label][_observed_kind(label, row)] += 1
    for label in ["ok", *FAULTS]:
        seen = observed.get(label, Counter())
        expected = EXPECTED_KIND[label]
        allowed = expected if isinstance(expected, tuple) else (expected or "ok",)
        wrong = sum(v for k, v in seen.items() if k not in allowed)
        outcome = "ledger: " + (", ".join(f"{k} {v}" for k, v in seen.most_common()) or "not drawn")
        if wrong:
            tally.notes.append(f"{label}: ledger shows {dict(seen)}, expected {allowed}")
        rows.append(Row("faults", f"injected: {label}", sum(seen.values()), outcome, 0))

    below = [r for r in ledger if scores.get(r["route"], 0.0) < pe.FLOOR]
    mismatched = [r for _, r in lined_up if r["route"].split(":", 1)[1] not in r["wire_model"]]
    rows.append(Row("faults", "attempts below the floor (ledger, fakes)", len(ledger),
                    f"{len(below)} of {len(ledger)} ledger rows; {len(mismatched)} fake calls for another model", len(below) + len(mismatched)))
    tally.notes += [f"below floor: {r}" for r in below[:5]] + [f"fake saw another model: {r}" for r in mismatched[:5]]

    cooled, violations, recovered, min_gap = _cooldowns(lined_up)
    rows.append(Row("faults", "cooldown then recovery (ledger)", cooled,
                    f"{cooled} retryable failures; next call on that route >= pause later: {cooled - len(violations)}"
                    f" (min gap {min_gap:.2f} s); routes that served again: {recovered}", len(violations)))
    tally.notes += [f"cooldown not respected: {v}" for v in violations]
    rows.append(Row("faults", "server sessions (restart every ~125)", tally.sessions,
                    f"crashes {tally.crashes}; {total} routed requests", tally.crashes))
    return rows


def _observed_kind(label: str, row: dict) -> str:
    kind = row["error_kind"] or row["outcome"]
    if label == "empty choices" and kind == "ok" and row["task"] == "completion":
        return EMPTY_MIDDLE  # an empty fill-in-the-middle answer is "nothing to insert", not a fault
    return kind


def _cooldowns(lined_up: list[tuple[str, dict]]) -> tuple[int, list[str], int, float]:
    """For every retryable failure: the next call on that route (same session) came at least the
    configured pause later; count routes that served again after a failure (recovery)."""
    by_route: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for _, row in lined_up:
        by_route[(row["session"], row["route"])].append(row)
    cooled, violations, recovered, min_gap = 0, [], 0, float("inf")
    for calls in by_route.values():
        failed_before = False
        for row, following in zip(calls, calls[1:] + [None]):
            if row["outcome"] == "ok" and failed_before:
                recovered += 1
                failed_before = False
            if row["outcome"] != "error" or row["error_kind"] in NOT_COOLED:
                continue
            failed_before = True
            cooled += 1
            if following is None:
                continue
            pause = 1.0 if row["error_kind"] == "RateLimited" else pe.COOLDOWN_S
            # at_utc is written when an attempt ends; the next one started after the pause.
            gap = (_when(following["at_utc"]) - _when(row["at_utc"])).total_seconds()
            min_gap = min(min_gap, gap)
            if gap < pause - 0.002:
                violations.append(f"{row['route']} {row['error_kind']} at {row['at_utc']}, next call {gap:.3f} s later")
    return cooled, violations, recovered, (0.0 if min_gap == float("inf") else min_gap)


def _when(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp)
