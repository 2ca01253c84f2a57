"""The classes of issue 13's adversarial pass, counted (each also has its own regression test):

- a provider reports odd numbers (NaN or negative cost, 1e400 or 10^30 tokens, an event nested
  100,000 deep): a malformed answer of that attempt, the fallback serves, the ledger stays finite
  and non-negative;
- a lone surrogate in a document: sent as U+FFFD by the cheapest route, nothing cools down;
- state of a closed document: reopened with other text, hover claims nothing;
- two servers sharing one ledger under one daily budget: never more than the budget spent;
- files: the data dir 0700, the ledger and --log-file 0600 under umask 0; an unopenable ledger is
  named in the message the editor shows;
- bad frames (a Content-Length 5 short, 10 long, negative, not a number, absent, 10^14) and
  unreadable requests (invalid UTF-8, a 5,000-digit integer, a batch): later requests answered,
  unreadable ones with their error where the id can be read, no popup.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import stat
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.fakes import behaviour as b
from tests.reliability import provider_env as pe
from tests.reliability import rawlsp
from tests.reliability.report import Row
from tests.reliability.scenarios_faults import BODY, COMPLETION_DOC, STUB
from tests.reliability.scenarios_load import _generate, _list, _open

BUDGET = 1e-5  # ~4 requests' worst case (1,024 tokens at the route's price), ~25 requests' real cost
DEEP = "[" * 100_000 + "]" * 100_000
ODD = {
    "cost NaN": b.ok(BODY, cost_usd=float("nan")),
    "cost -5": b.ok(BODY, cost_usd=-5.0),
    "prompt_tokens 1e400": b.raw('data: {"choices": [{"index": 0, "delta": {"content": "x"}, "finish_reason": "stop"}],'
                                 ' "usage": {"prompt_tokens": 1e400, "completion_tokens": 3}}\n\n', "data: [DONE]\n\n"),
    "completion_tokens 10^30": b.ok(BODY, output_tokens=10**30),
    "completion_tokens -7": b.ok(BODY, output_tokens=-7),
    "event nested 100,000 deep": b.raw(f"data: {DEEP}\n\n"),
}


async def scenarios(scale: float) -> list[Row]:
    rounds = max(1, round(5 * scale))
    rows = [await _odd_numbers(rounds), await _lone_surrogate(rounds), await _closed_documents(rounds),
            await _shared_budget(), await _private_files(), await _bad_frames(rounds)]
    return rows


@asynccontextmanager
async def _one_server(name: str, **config: object) -> AsyncIterator[tuple[Path, pe.Fakes, dict, rawlsp.RawClient]]:
    """A temporary folder, the fakes, and one server initialised on its folder w/ (stopped after)."""
    with tempfile.TemporaryDirectory(prefix=f"codefloor-{name}-") as tmp, pe.running_fakes(BODY) as fakes:
        env = pe.server_env(Path(tmp), fakes, **config)
        client = await _session(env, Path(tmp) / "w")
        try:
            yield Path(tmp), fakes, env, client
        finally:
            await client.stop()


async def _session(env: dict, folder: Path) -> rawlsp.RawClient:
    client = await rawlsp.RawClient(env, debug_log=False).start()
    client.settings[folder.as_uri()] = {"minCodingScore": pe.FLOOR}
    await client.initialize([folder])
    await asyncio.sleep(0.3)
    return client


async def _generate_once(client: rawlsp.RawClient, uri: str) -> dict:
    action = _generate(await _list(client, uri))
    return await client.request("codeAction/resolve", action, 30)


async def _odd_numbers(rounds: int) -> Row:
    tried = lost = 0
    async with _one_server("odd") as (tmp, fakes, env, client):
        for r in range(rounds):
            for name, odd in ODD.items():
                fakes.openai.script(odd)  # the cheapest eligible route (deepseek) is on the OpenAI wire
                uri = _open(client, Path(tmp) / "w" / f"odd{r}_{len(client.frames)}.py", STUB)
                answer = await _generate_once(client, uri)
                tried += 1
                lost += not (answer.get("result") or {}).get("edit")
                fakes.openai.reset()
                await asyncio.sleep(2.05)  # the odd route recovers ([routing] max_cooldown_s = 2) before the next case
        rows = pe.ledger_rows(env)
        bad_rows = [r for r in rows if not all(math.isfinite(r[k]) and r[k] >= 0
                                               for k in ("cost_usd", "input_tokens", "output_tokens"))]
        lost += len(bad_rows) + (not client.alive)
        malformed = sum(r["error_kind"] == "MalformedResponse" for r in rows)
    return Row("hardening", f"provider reports odd numbers ({len(ODD)} kinds)", tried,
               f"each a malformed answer of that attempt ({malformed} rows), fallback served; ledger finite, >= 0", lost)


async def _lone_surrogate(rounds: int) -> Row:
    tried = lost = 0
    async with _one_server("surrogate") as (tmp, fakes, env, client):
        for r in range(rounds):
            # Inline completion: a source with a lone surrogate does not parse, so no code action is offered.
            for text in (f"# {chr(0xD83D)} half an emoji\n{COMPLETION_DOC}", f"# clean\n{COMPLETION_DOC}"):
                uri = client.open(Path(tmp) / "w" / f"s{r}_{tried}.py", text)  # no file: it cannot be UTF-8
                params = {"textDocument": {"uri": uri}, "position": {"line": 2, "character": len("    return ")},
                          "context": {"triggerKind": 1}}
                answer = await client.request("textDocument/inlineCompletion", params, 30)
                tried += 1
                lost += "error" in answer or not answer.get("result")
        rows = pe.ledger_rows(env)
        errors = [row for row in rows if row["outcome"] != "ok"]
        models = sorted({row["model"] for row in rows})
        dearer = models[1:]  # each request is the same but for the surrogate: one model serves them all
        lost += len(errors) + len(dearer) + (not client.alive)
        sent = [str(req.body) for req in fakes.openai.requests]
        lost += not any("\ufffd" in body for body in sent)  # the half emoji went out replaced
    return Row("hardening", "lone surrogate in a document, then a clean one (inline completion)", tried,
               f"served by {models[0] if models else 'nothing'} alone, {len(errors)} failed attempts; sent as U+FFFD", lost)


async def _closed_documents(rounds: int) -> Row:
    tried = lost = 0
    async with _one_server("closed") as (tmp, fakes, env, client):
        for r in range(rounds):
            path = Path(tmp) / "w" / f"c{r}.py"
            uri = _open(client, path, STUB)
            await _generate_once(client, uri)
            client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
            client.open(path, "import os\n\nprint(os.getcwd())\nprint('the user wrote this')\n")
            hover = await client.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                                 "position": {"line": 2, "character": 2}})
            tried += 1
            lost += hover.get("result") is not None
    return Row("hardening", "close + reopen with other text, then hover", tried, "hover claims nothing", lost)


async def _shared_budget() -> Row:
    per_server = 20
    with tempfile.TemporaryDirectory(prefix="codefloor-shared-") as tmp, pe.running_fakes(BODY) as fakes:
        for fake in fakes.all():
            fake.set_default(b.drip(30, BODY, ))
        env = pe.server_env(Path(tmp), fakes, daily_usd=BUDGET)
        clients = [await _session(env, Path(tmp) / "w") for _ in range(2)]
        try:
            uris = [_open(c, Path(tmp) / "w" / "m.py", STUB) for c in clients]
            actions = [_generate(await _list(c, u)) for c, u in zip(clients, uris)]
            answers = await asyncio.gather(*(c.request("codeAction/resolve", a, 60)
                                             for c, a in zip(clients, actions) for _ in range(per_server)))
            served = sum(bool((a.get("result") or {}).get("edit")) for a in answers)
        finally:
            for c in clients:
                await c.stop()
        spent = sum(r["cost_usd"] for r in pe.ledger_rows(env))
    return Row("hardening", f"2 servers x {per_server} concurrent requests, one ledger and budget", 2 * per_server,
               f"served {served}, spent ${spent:.8f} of ${BUDGET:.8f} ({spent / BUDGET:.2f}x)",
               int(spent > BUDGET + 1e-15) + int(served == 0))


async def _private_files() -> Row:
    lost, seen = 0, []
    old = os.umask(0)
    try:
        with tempfile.TemporaryDirectory(prefix="codefloor-private-") as tmp, pe.running_fakes(BODY) as fakes:
            env = pe.server_env(Path(tmp), fakes)
            env["CODEFLOOR_DATA_DIR"] = str(Path(tmp) / "new" / "data")
            log = Path(tmp) / "server.log"
            client = rawlsp.RawClient(env, debug_log=False)
            client.command = [*client.command, "--log-file", str(log)]
            await client.start()
            client.settings[(Path(tmp) / "w").as_uri()] = {"minCodingScore": pe.FLOOR}
            await client.initialize([Path(tmp) / "w"])
            try:
                await _generate_once(client, _open(client, Path(tmp) / "w" / "p.py", STUB))
            finally:
                await client.stop()
            data = Path(env["CODEFLOOR_DATA_DIR"])
            for path, want in ((data, 0o700), (data / "usage.sqlite3", 0o600), (log, 0o600)):
                got = stat.S_IMODE(path.stat().st_mode)
                seen.append(f"{path.name} {got:o}")
                lost += got != want
            broken_env = pe.server_env(Path(tmp) / "broken", fakes)
            ledger = Path(broken_env["CODEFLOOR_DATA_DIR"]) / "usage.sqlite3"
            ledger.mkdir(parents=True)  # unopenable, even by root
            client = await _session(broken_env, Path(tmp) / "w")
            try:
                named = await client.wait_for(lambda: any(str(ledger) in m for m in client.shown()), 10)
            finally:
                await client.stop()
            lost += not named
    finally:
        os.umask(old)
    return Row("hardening", "umask 0: data dir, ledger, --log-file; unopenable ledger", 4,
               f"{', '.join(seen)}; unopenable ledger named in the message: {'yes' if named else 'no'}", lost)


def _hover_body(n: int, name: str = "m") -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": n, "method": "textDocument/hover", "params": {
        "textDocument": {"uri": f"file:///nowhere/{name}.py"}, "position": {"line": 0, "character": 0}}}).encode()


BAD_FRAMES = {
    "5 bytes short": lambda body: b"Content-Length: %d\r\n\r\n" % (len(body) - 5) + body,
    "10 bytes long": lambda body: b"Content-Length: %d\r\n\r\n" % (len(body) + 10) + body,
    "negative": lambda body: b"Content-Length: -5\r\n\r\n" + body,
    "not a number": lambda body: b"Content-Length: five\r\n\r\n" + body,
    "absent": lambda body: b"Content-Type: application/vscode-jsonrpc\r\n\r\n" + body,
    "10^14": lambda body: b"Content-Length: 100000000000000\r\n\r\n" + body,
}
UNREADABLE = {  # body for id n -> the error code it must get
    "invalid UTF-8": (lambda n: _hover_body(n, "BAD").replace(b"BAD", b"\xff\xfe"), -32700),
    "5,000-digit integer": (lambda n: _hover_body(n).replace(b'"line": 0', b'"line": ' + b"9" * 5000), -32700),
    "batch": (lambda n: b"[" + _hover_body(n) + b"]", -32600),
}


async def _bad_frames(rounds: int) -> Row:
    """Each bad frame, then a hover that must be answered; each unreadable request, answered with its error."""
    tried = lost = 0
    async with _one_server("frames") as (tmp, fakes, _, client):
        params = {"textDocument": {"uri": "file:///nowhere/m.py"}, "position": {"line": 0, "character": 0}}
        for r in range(rounds):
            for make in BAD_FRAMES.values():
                client.send_bytes(make(_hover_body(10_000 + r)))
                tried += 1
                try:
                    lost += (await client.request("textDocument/hover", params, 10)).get("result", "missing") is not None
                except TimeoutError:
                    lost += 1
            for i, (make, code) in enumerate(UNREADABLE.values()):
                msg_id = 20_000 + 10 * r + i
                client.send_raw(make(msg_id))
                tried += 1
                answer = lambda: next((m for m in client.messages if m.get("id") == msg_id and "method" not in m), None)
                lost += not (await client.wait_for(answer, 10) and answer().get("error", {}).get("code") == code)
        popups = [t for t in client.shown() if "Error in server" in t]
        lost += len(popups)
    return Row("hardening", f"bad frames ({len(BAD_FRAMES)} headers) and unreadable requests ({len(UNREADABLE)} kinds)",
               tried, f"later requests answered, unreadable ones with ParseError/InvalidRequest, {len(popups)} popups", lost)
