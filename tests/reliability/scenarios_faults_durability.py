"""Durability: SIGKILL while requests stream leaves a readable ledger holding every completed
attempt, and a restarted server goes on writing it; the daily budget holds under a burst of
concurrent requests (spend never passes the budget by more than one request's cost).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakes import behaviour as b
from tests.reliability import provider_env as pe
from tests.reliability import rawlsp
from tests.reliability.report import Row
from tests.reliability.scenarios_faults import BODY, STUB
from tests.reliability.scenarios_load import _generate, _list, _open

KILLS_AT_FULL_SCALE = 10
IN_FLIGHT = 30
BUDGET_BURST = 60
BUDGET_REQUESTS_THAT_FIT = 10.5  # the budget, in units of one request's cost


@dataclass
class Durability:
    kills: int = 0
    answered_before_kill: int = 0
    ok_rows_after_kill: int = 0
    missing: int = 0
    unreadable: int = 0
    served_after_restart: int = 0
    notes: list[str] = field(default_factory=list)
    budget_usd: float = 0.0
    one_request_usd: float = 0.0
    spent_usd: float = 0.0
    max_row_usd: float = 0.0
    budget_served: int = 0
    budget_refused: int = 0
    budget_other: int = 0


async def scenarios(scale: float) -> list[Row]:
    rows, result = await run(scale)
    for note in result.notes[:20]:
        print(f"durability: {note}", flush=True)
    return rows


async def run(scale: float) -> tuple[list[Row], Durability]:
    result = Durability()
    kills = max(2, round(KILLS_AT_FULL_SCALE * scale))
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="codefloor-durable-") as tmp, pe.running_fakes(BODY) as fakes:
        for fake in fakes.all():
            fake.set_default(b.drip(20, BODY))  # ~200 ms per answer: always some in flight
        env = pe.server_env(Path(tmp), fakes)
        for _ in range(kills):
            await _kill_mid_request(env, Path(tmp) / "w", rng, result)
        await _restart_and_serve(env, Path(tmp) / "w", result)
    with tempfile.TemporaryDirectory(prefix="codefloor-budget-") as tmp, pe.running_fakes(BODY) as fakes:
        for fake in fakes.all():
            # ~300 ms: the whole burst is in flight at once. Each answer bills the whole max_tokens
            # (1,024), the most a request can cost and what the budget reserves for it.
            fake.set_default(b.Behaviour("ok", text=BODY, drip_ms=30, output_tokens=1024))
        await _budget_burst(Path(tmp), fakes, result)
    return _rows(result), result


async def _session(env: dict, folder: Path) -> tuple[rawlsp.RawClient, str, dict]:
    client = await rawlsp.RawClient(env, debug_log=False).start()
    client.settings[folder.as_uri()] = {"minCodingScore": pe.FLOOR}
    await client.initialize([folder])  # requests wait for the folder's settings (server.py)
    uri = _open(client, folder / "m.py", STUB)
    return client, uri, _generate(await _list(client, uri))


async def _kill_mid_request(env: dict, folder: Path, rng: random.Random, result: Durability) -> None:
    before = _ok_rows(env)
    client, _, action = await _session(env, folder)
    answered = 0

    async def resolve() -> None:
        nonlocal answered
        answer = await client.request("codeAction/resolve", action, 30)
        if (answer.get("result") or {}).get("edit"):
            answered += 1

    tasks = [asyncio.create_task(resolve()) for _ in range(IN_FLIGHT)]
    want = rng.randint(1, IN_FLIGHT - 5)  # kill once this many answers are in, the rest in flight
    while answered < want and not all(t.done() for t in tasks):
        await asyncio.sleep(0.005)
    client._proc.kill()  # SIGKILL: no shutdown, no flush, no atexit
    await client._proc.wait()
    await asyncio.gather(*tasks, return_exceptions=True)
    await client.stop()
    result.kills += 1
    result.answered_before_kill += answered
    try:
        ok_now = _ok_rows(env)
    except sqlite3.DatabaseError as exc:
        result.unreadable += 1
        result.notes.append(f"ledger unreadable after SIGKILL: {exc}")
        return
    recorded = ok_now - before
    result.ok_rows_after_kill += recorded
    if recorded < answered:  # every answer the editor got was recorded before it was sent
        result.missing += answered - recorded
        result.notes.append(f"kill {result.kills}: {answered} answered, {recorded} ok rows")


async def _restart_and_serve(env: dict, folder: Path, result: Durability) -> None:
    before = _ok_rows(env)
    client, _, action = await _session(env, folder)
    try:
        for _ in range(5):
            answer = await client.request("codeAction/resolve", action, 30)
            result.served_after_restart += bool((answer.get("result") or {}).get("edit"))
    finally:
        await client.stop()
    if _ok_rows(env) - before != result.served_after_restart:
        result.missing += 1
        result.notes.append("the restarted server did not record what it served")


def _ok_rows(env: dict) -> int:
    """Open the ledger as the next server would (read-write: WAL recovery) and check it whole."""
    if not pe.ledger_path(env).exists():
        return 0
    db = sqlite3.connect(pe.ledger_path(env), timeout=5)
    try:
        (check,) = db.execute("PRAGMA integrity_check").fetchone()
        if check != "ok":
            raise sqlite3.DatabaseError(f"integrity_check: {check}")
        (count,) = db.execute("SELECT COUNT(*) FROM attempts WHERE outcome = 'ok'").fetchone()
        return count
    finally:
        db.close()


async def _budget_burst(tmp: Path, fakes: pe.Fakes, result: Durability) -> None:
    folder = tmp / "w"
    # What one request costs, measured with no budget; then a budget for ~10 of them.
    env = pe.server_env(tmp / "calibrate", fakes)
    client, _, action = await _session(env, folder)
    try:
        await client.request("codeAction/resolve", action, 30)
    finally:
        await client.stop()
    [row] = pe.ledger_rows(env)
    result.one_request_usd = row["cost_usd"]
    result.budget_usd = BUDGET_REQUESTS_THAT_FIT * row["cost_usd"]

    env = pe.server_env(tmp / "budget", fakes, daily_usd=result.budget_usd)
    client, _, action = await _session(env, folder)
    try:
        seen = len(client.shown())
        answers = await asyncio.gather(*(client.request("codeAction/resolve", action, 60) for _ in range(BUDGET_BURST)))
        refusals = [m for m in client.shown()[seen:] if "daily budget" in m]
    finally:
        await client.stop()
    result.budget_served = sum(bool((a.get("result") or {}).get("edit")) for a in answers)
    result.budget_refused = len(refusals)
    result.budget_other = BUDGET_BURST - result.budget_served - result.budget_refused
    rows = pe.ledger_rows(env)
    result.spent_usd = sum(r["cost_usd"] for r in rows)
    result.max_row_usd = max((r["cost_usd"] for r in rows), default=0.0)
    if result.budget_other:
        result.notes.append(f"budget burst: {result.budget_other} requests neither served nor refused for the budget")


def _rows(r: Durability) -> list[Row]:
    overspend = r.spent_usd > r.budget_usd + r.max_row_usd + 1e-12
    return [
        Row("durability", f"SIGKILL with {IN_FLIGHT} requests in flight", r.kills,
            f"ledger whole (integrity_check ok) after {r.kills - r.unreadable} of {r.kills} kills; "
            f"{r.answered_before_kill} answers before the kills, {r.ok_rows_after_kill} ok rows recorded; "
            f"restarted server served and recorded {r.served_after_restart}/5",
            r.missing + r.unreadable),
        Row("durability", f"daily budget vs {BUDGET_BURST} concurrent requests", BUDGET_BURST,
            f"budget ${r.budget_usd:.8f} (~{BUDGET_REQUESTS_THAT_FIT:g} requests); served {r.budget_served}, "
            f"refused with the budget message {r.budget_refused}; spent ${r.spent_usd:.8f} "
            f"({r.spent_usd / r.budget_usd if r.budget_usd else 0:.2f}x budget; one request ${r.max_row_usd:.8f})",
            int(overspend) + r.budget_other),
    ]
