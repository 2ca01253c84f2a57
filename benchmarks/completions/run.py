"""Inline completions under a latency budget: a typing session through `codefloor serve`.

    python benchmarks/completions/run.py [--completions 40] [--slow-ms 3000] [--fast-ms 100] [--budget-ms 1500]

Two models meet the folder's floor, each behind a loopback fake provider in its own process
(benchmarks/editor_session/fake_provider.py):
- cheap-fim (Mistral wire, native fill-in-the-middle, $0.20/$0.60 per M): its first byte comes
  --slow-ms late;
- fast-chat (OpenAI wire, completions through chat, $3/$15 per M): answers --fast-ms after the request.

A user types into a file (one character, then an automatic inline completion, waiting for it);
codefloor runs with completion.maxLatencyMs --budget-ms (60000: as if there were no budget) and [routing] completion_first_byte_s 5 (so the
slow answer arrives and is measured, rather than timing out). What it shows:
- which model served each completion (the answers differ), and what the ledger learned;
- after the first slow answer, the session is served by the fast route;
- overhead per completion: each fast completion through codefloor next to the same chat call made
  directly to the same fake right after it, p50 of the differences and the ratio of the medians;
- cost per simulated hour: the ledger's cost per completion x completions per hour of typing (one per
  SECONDS_PER_COMPLETION), for this session and for its steady state.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks" / "editor_session"))

import httpx  # noqa: E402

from run import Fake, _direct_fim, _range, percentile  # noqa: E402  (benchmarks/editor_session/run.py)
from tests.fakes.user_setup import model, server_env, user_config  # noqa: E402
from tests.reliability.rawlsp import RawClient  # noqa: E402

SECONDS_PER_COMPLETION = 2.0  # a completion at every pause in typing: one every 2 s of an hour's typing
FLOOR = 95  # above every bundled model (94.2), so only the two bench models are eligible
USER_CONFIG = user_config(
    model("cheap-fim", "Cheap FIM (slow)", 96, "mistral", "cheap-fim", 0.2, 0.6, fim=True),
    model("fast-chat", "Fast chat (dear)", 97, "openai", "fast-chat", 3.0, 15.0),
) + "\n[routing]\ncompletion_first_byte_s = 5\n"
PREFIX = "def total(values):\n    result = 0\n    for v in values:\n        result += "
CHAT_BODY = {"model": "fast-chat", "stream": True, "max_tokens": 128, "temperature": 0.0,
             "messages": [{"role": "system", "content": "complete"}, {"role": "user", "content": PREFIX}]}


async def typing_session(env: dict[str, str], folder: Path, fast_url: str, completions: int, budget_ms: int) -> list[dict]:
    client = RawClient(env, debug_log=False)
    client.settings[folder.as_uri()] = {"minCodingScore": FLOOR, "completion": {"debounceMs": 0, "maxLatencyMs": budget_ms}}
    await client.start()
    served: list[dict] = []
    direct = httpx.Client(timeout=30)
    try:
        await client.initialize([folder])
        uri = client.open(folder / "typed.py", PREFIX)
        lines = PREFIX.split("\n")
        line, col = len(lines) - 1, len(lines[-1])
        for version in range(2, completions + 2):
            client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                                     "contentChanges": [{"range": _range(line, col, line, col), "text": "v"}]})
            col += 1
            params = {"textDocument": {"uri": uri}, "position": {"line": line, "character": col}, "context": {"triggerKind": 2}}
            answer, lsp_ms = await client.timed_request("textDocument/inlineCompletion", params, timeout=60)
            items = (answer.get("result") or {}).get("items") or []
            text = items[0]["insertText"] if items else ""
            route = "cheap-fim" if text.startswith("x + 1") else "fast-chat" if "greet" in text else "none"
            direct_ms = await asyncio.to_thread(_direct_fim, direct, fast_url, CHAT_BODY, "/v1/chat/completions",
                                                "sk-bench-000000000000") if route == "fast-chat" else None
            served.append({"route": route, "lsp_ms": lsp_ms, "direct_ms": direct_ms})
        if not client.alive:
            raise RuntimeError("the server exited")
    finally:
        direct.close()
        await client.stop()
    return served


def ledger_rows(data_dir: Path) -> list[tuple]:
    with sqlite3.connect(data_dir / "usage.sqlite3") as db:
        return db.execute("SELECT model, outcome, cost_usd, first_token_ms, latency_ms FROM attempts"
                          " WHERE task = 'completion' AND outcome != 'pending' ORDER BY id").fetchall()


def report(served: list[dict], rows: list[tuple], slow_ms: float, fast_ms: float, budget_ms: int) -> None:
    order = "".join("S" if s["route"] == "cheap-fim" else "F" if s["route"] == "fast-chat" else "-" for s in served)
    print(f"completions: {len(served)}; budget completion.maxLatencyMs {budget_ms}; cheap-fim first byte {slow_ms:g} ms, "
          f"fast-chat {fast_ms:g} ms")
    print(f"served (S = cheap-fim, F = fast-chat), in order: {order}")
    after = order[order.find("S") + 1:]  # everything, when the slow route never served
    print(f"after the first slow answer: {after.count('F')} of {len(after)} served by the fast route; "
          f"time to each completion p50 {percentile([s['lsp_ms'] for s in served], 0.5):.0f} ms")
    for model in ("cheap-fim", "fast-chat"):
        firsts = [r[3] for r in rows if r[0] == model and r[3] is not None]
        if firsts:
            print(f"  ledger {model}: {len(firsts)} attempts, first token median {statistics.median(firsts):.0f} ms")
    fast = [s for s in served if s["route"] == "fast-chat" and s["direct_ms"] is not None]
    if fast:
        lsp, direct = [s["lsp_ms"] for s in fast], [s["direct_ms"] for s in fast]
        overhead = [s["lsp_ms"] - s["direct_ms"] for s in fast]
        print(f"fast completions through codefloor: p50 {percentile(lsp, 0.5):.1f} ms, p90 {percentile(lsp, 0.9):.1f} ms; "
              f"the same call direct: p50 {percentile(direct, 0.5):.1f} ms")
        print(f"added overhead per completion: p50 {percentile(overhead, 0.5):.1f} ms, p90 {percentile(overhead, 0.9):.1f} ms; "
              f"ratio codefloor/direct (medians) {statistics.median(lsp) / statistics.median(direct):.2f}")
    per_hour = 3600 / SECONDS_PER_COMPLETION
    costs = [r[2] for r in rows]
    steady = [r[2] for r in rows if r[0] == "fast-chat"]
    cheap = [r[2] for r in rows if r[0] == "cheap-fim"]
    print(f"cost per simulated hour ({per_hour:.0f} completions, one per {SECONDS_PER_COMPLETION:g} s of typing; catalog prices of "
          f"this bench's user models): this session ${sum(costs) / max(len(served), 1) * per_hour:.3f}, steady state (fast route) "
          f"${(statistics.mean(steady) if steady else 0) * per_hour:.3f}"
          + (f"; the cheap route, were it fast: ${statistics.mean(cheap) * per_hour:.3f}" if cheap else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--completions", type=int, default=40)
    parser.add_argument("--slow-ms", type=float, default=3000)
    parser.add_argument("--fast-ms", type=float, default=100)
    parser.add_argument("--budget-ms", type=int, default=1500)
    args = parser.parse_args()
    cheap = Fake("--first-byte-ms", str(args.slow_ms))
    fast = Fake("--chunks", "1", "--interval-ms", "0", "--first-byte-ms", str(args.fast_ms))
    try:
        with tempfile.TemporaryDirectory(prefix="codefloor-completions-") as name:
            tmp = Path(name)
            folder = tmp / "w"
            folder.mkdir()
            started = time.perf_counter()
            providers = {"openai": ("sk-bench-000000000000", fast.url + "/v1"),
                         "mistral": ("sk-bench-111111111111", cheap.url + "/v1")}
            env = server_env(tmp, USER_CONFIG, providers, 9, PYTHONPATH=str(REPO / "server"))
            served = asyncio.run(typing_session(env, folder, fast.url, args.completions, args.budget_ms))
            print(f"session: {time.perf_counter() - started:.1f} s")
            report(served, ledger_rows(tmp / "data"), args.slow_ms, args.fast_ms, args.budget_ms)
    finally:
        cheap.stop()
        fast.stop()


if __name__ == "__main__":
    main()
