"""Load through the language server: waves of 200 concurrent requests over 20 documents, every
upstream answer taking ~300 ms, while a second stream of code action listings measures how long
the server's event loop keeps the editor waiting. Also samples the server's resident memory.

Far more than one editor sends: what this row checks is that nothing is lost under it. Its listing
target (p99 <= 20 ms) is retired (issue 15): the load target is a real editor session's,
benchmarks/editor_session/run.py. The listing figures are still printed, as observed.

Each request must be answered (an edit that is the whole answer, or a message) or cancelled
(an inline completion superseded by a newer one for the same document); anything else is lost.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from lsprotocol.converters import get_converter

from tests.fakes import behaviour as b
from tests.lsp import harness
from tests.reliability import provider_env as pe
from tests.reliability import rawlsp
from tests.reliability.report import Row
from tests.reliability.scenarios_faults import BODY, COMPLETION_DOC, EXPECTED, STUB

CONCURRENT = 200
DOCUMENTS = 20
COMPLETIONS_PER_WAVE = 40  # 2 per document: the first is superseded by the second
PROVIDER_MS = 300
ANSWER_TIMEOUT_S = 60.0
IDLE_LISTINGS = 100


@dataclass
class LoadRun:
    waves: int = 0
    answered_edit: int = 0
    answered_message: int = 0
    completed: int = 0
    cancelled: int = 0
    lost: int = 0
    notes: list[str] = field(default_factory=list)
    idle_ms: list[float] = field(default_factory=list)
    load_ms: list[float] = field(default_factory=list)  # request written -> answer's bytes read
    load_seen_ms: list[float] = field(default_factory=list)  # the same, until this client's busy loop saw it
    edits: list[tuple[str, dict]] = field(default_factory=list)  # (uri, raw WorkspaceEdit) awaiting the check
    wave_s: list[float] = field(default_factory=list)
    rss_idle_mb: float = 0.0
    rss_after_wave_mb: list[float] = field(default_factory=list)
    rss_peak_mb: float = 0.0
    upstream_calls: int = 0
    server_cpu_s: float = 0.0  # the server process's CPU time over the waves


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def scenarios(scale: float) -> list[Row]:
    rows, run_ = await run(scale)
    for note in run_.notes[:20]:
        print(f"load: {note}", flush=True)
    return rows


async def run(scale: float) -> tuple[list[Row], LoadRun]:
    waves = max(2, round(5 * scale))
    result = LoadRun()
    frames = 10  # BODY streams as 10 SSE events: 9 pauses of 33 ms ~ 300 ms per answer
    with tempfile.TemporaryDirectory(prefix="codefloor-load-") as tmp, pe.running_fakes(BODY, subprocess=True) as fakes:
        for fake in fakes.all():
            fake.set_default(b.drip(PROVIDER_MS // (frames - 1), BODY))
        env = pe.server_env(Path(tmp), fakes, timeout_s=10.0)
        client = await rawlsp.RawClient(env, debug_log=False).start()
        try:
            await _load(client, Path(tmp) / "w", waves, result)
        finally:
            await client.stop()
        result.upstream_calls = sum(len(f.requests) for f in fakes.all())
    return _rows(result), result


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _load(client: rawlsp.RawClient, folder: Path, waves: int, result: LoadRun) -> None:
    client.settings[folder.as_uri()] = {"minCodingScore": pe.FLOOR, "completion": {"debounceMs": 0}}
    await client.initialize([folder])  # requests wait for the folder's settings (server.py)
    docs = [_open(client, folder / f"d{i:02}.py", STUB) for i in range(DOCUMENTS)]
    completion_docs = [_open(client, folder / f"c{i:02}.py", COMPLETION_DOC) for i in range(DOCUMENTS)]
    actions = {uri: _generate(await _list(client, uri)) for uri in docs}
    pid = client._proc.pid
    for _ in range(IDLE_LISTINGS):  # the same listing with nothing else going on: the baseline
        result.idle_ms.append(await _timed_listing(client, docs[0]))
    result.rss_idle_mb = _rss_mb(pid)
    rng = random.Random(7)
    cpu_before = _cpu_s(pid)
    for wave in range(waves):
        done = asyncio.Event()
        prober = asyncio.create_task(_probe(client, docs, rng, done, pid, result))
        started = time.perf_counter()
        jobs = [_action(client, actions[docs[i % DOCUMENTS]], docs[i % DOCUMENTS], result)
                for i in range(CONCURRENT - COMPLETIONS_PER_WAVE)]
        for i in range(COMPLETIONS_PER_WAVE):
            uri = completion_docs[i % DOCUMENTS]
            if i < DOCUMENTS:  # a new context per wave, so the completion cache cannot answer
                client.replace_all(uri, f"# wave {wave}\n{COMPLETION_DOC}", wave + 2)
            jobs.append(_completion(client, uri, result))
        await asyncio.gather(*jobs)
        result.wave_s.append(time.perf_counter() - started)
        done.set()
        await prober
        _check_edits(result)
        result.waves += 1
        await asyncio.sleep(0.2)
        result.rss_after_wave_mb.append(_rss_mb(pid))
    result.server_cpu_s = _cpu_s(pid) - cpu_before
    if not client.alive:
        result.lost += 1
        result.notes.append("the server exited during the load")


def _open(client: rawlsp.RawClient, path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return client.open(path, text)


def _generate(actions: list[dict]) -> dict:
    [action] = [a for a in actions if a["title"].startswith("Generate body")]
    return action


def _listing(uri: str) -> dict:
    return {"textDocument": {"uri": uri}, "range": {"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 4}},
            "context": {"diagnostics": []}}


async def _list(client: rawlsp.RawClient, uri: str) -> list[dict]:
    return (await client.request("textDocument/codeAction", _listing(uri))).get("result") or []


async def _timed_listing(client, uri: str, seen_ms: list[float] | None = None) -> float:
    """ms from the request written to the server's stdin to the answer's bytes on its stdout.
    seen_ms gets the ms until this client's event loop handled the answer (it also sends the load)."""
    started = time.perf_counter()
    answer, elapsed = await client.timed_request("textDocument/codeAction", _listing(uri))
    if seen_ms is not None:
        seen_ms.append((time.perf_counter() - started) * 1000)
    assert any(a["title"].startswith("Generate body") for a in answer.get("result") or [])
    return elapsed


async def _probe(client, docs: list[str], rng: random.Random, done: asyncio.Event, pid: int, result: LoadRun) -> None:
    """List code actions every ~10 ms while the wave runs (what an editor does as the cursor moves)."""
    while not done.is_set():
        result.load_ms.append(await _timed_listing(client, rng.choice(docs), result.load_seen_ms))
        result.rss_peak_mb = max(result.rss_peak_mb, _rss_mb(pid))
        await asyncio.sleep(0.01)


async def _action(client: rawlsp.RawClient, action: dict, uri: str, result: LoadRun) -> None:
    seen = len(client.shown())
    try:
        answer = await client.request("codeAction/resolve", action, ANSWER_TIMEOUT_S)
    except Exception as exc:
        result.lost += 1
        result.notes.append(f"code action unanswered: {type(exc).__name__}: {exc}")
        return
    edit = (answer.get("result") or {}).get("edit")
    if edit is None:
        if len(client.shown()) > seen:
            result.answered_message += 1
        else:
            result.lost += 1
            result.notes.append(f"code action: no edit and no message ({answer})")
        return
    result.edits.append((uri, edit))  # checked after the wave: the client's own work would skew the timing


def _check_edits(result: LoadRun) -> None:
    """Every edit must turn the stub into the whole answer; anything else is a partial edit."""
    converter = get_converter()
    for uri, edit in result.edits:
        applied = harness.apply_text_edits(STUB, harness.edits_for(converter.structure(edit, types.WorkspaceEdit), uri))
        if applied == EXPECTED:
            result.answered_edit += 1
        else:
            result.lost += 1
            result.notes.append(f"code action: partial edit {applied!r}")
    result.edits.clear()


async def _completion(client: rawlsp.RawClient, uri: str, result: LoadRun) -> None:
    params = {"textDocument": {"uri": uri}, "position": {"line": 2, "character": len("    return ")},
              "context": {"triggerKind": 1}}  # Invoked
    try:
        answer = await client.request("textDocument/inlineCompletion", params, ANSWER_TIMEOUT_S)
    except Exception as exc:
        result.lost += 1
        result.notes.append(f"completion unanswered: {type(exc).__name__}: {exc}")
        return
    if answer.get("error", {}).get("code") == -32800:  # RequestCancelled: superseded by a newer one
        result.cancelled += 1
    elif "error" in answer:
        result.lost += 1
        result.notes.append(f"completion failed: {answer['error']}")
    else:
        result.completed += 1


def _rows(r: LoadRun) -> list[Row]:
    requests = r.waves * CONCURRENT
    answered = r.answered_edit + r.answered_message + r.completed
    idle_p99, load_p99 = p(r.idle_ms, 0.99), p(r.load_ms, 0.99)
    growth = r.rss_after_wave_mb[-1] - r.rss_after_wave_mb[0] if r.rss_after_wave_mb else 0.0
    return [
        Row("load", f"{CONCURRENT} concurrent requests x {r.waves} waves, {DOCUMENTS} docs, {PROVIDER_MS} ms provider", requests,
            f"answered {answered} (whole edits {r.answered_edit}, messages {r.answered_message}, completions {r.completed}), "
            f"cancelled (superseded) {r.cancelled}; wave {statistics.median(r.wave_s):.2f} s median; {r.upstream_calls} upstream calls; "
            f"server CPU {r.server_cpu_s:.1f} s",
            r.lost + max(0, requests - answered - r.cancelled - r.lost)),
        Row("load", "code action listing during the load", len(r.load_ms),
            f"p50 {p(r.load_ms, 0.5):.1f} ms, p99 {load_p99:.1f} ms, max {max(r.load_ms, default=0):.1f} ms "
            f"(no target: 200 streams is no editor's load); idle p99 {idle_p99:.1f} ms ({load_p99 / idle_p99 if idle_p99 else 0:.1f}x); "
            f"p99 until the load-sending client's own loop saw it {p(r.load_seen_ms, 0.99):.1f} ms", 0),
        Row("load", "server memory (RSS)", r.waves,
            f"idle {r.rss_idle_mb:.0f} MB, peak {r.rss_peak_mb:.0f} MB, after each wave "
            + ", ".join(f"{m:.0f}" for m in r.rss_after_wave_mb) + f" MB (growth after wave 1: {growth:+.1f} MB)", 0),
    ]
