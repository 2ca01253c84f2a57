"""Server memory over a long session of requests on fresh documents (issue 13, item 13).

    python benchmarks/lsp/memory.py [--requests 5000] [--tracemalloc]

`codefloor serve` over stdio against a loopback fake provider; each request opens a new document,
lists its code actions, resolves "Generate body" (a routed model call that writes an edit) and
closes the document -- what a long editor session does to many files. Printed: the server's RSS
(VmRSS) every tenth of the run, the growth over the first and the second half, and the growth per
1,000 requests. Target: RSS flat within 5 MB over the second half of a 5,000-request run.

--tracemalloc traces the server's allocations from the middle of the run and prints the 10 biggest
still alive at its end (how the leak was found).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.fakes import behaviour as b  # noqa: E402
from tests.reliability import provider_env as pe  # noqa: E402
from tests.reliability import rawlsp  # noqa: E402
from tests.reliability.scenarios_faults import BODY, STUB  # noqa: E402

TARGET_MB = 5.0
_TRACED_SERVER = """
import signal, sys, tracemalloc
def dump(*_):  # 1st signal: start tracing (start-up under tracemalloc is far too slow); 2nd: what is still alive
    if not tracemalloc.is_tracing():
        tracemalloc.start(12)
        return
    top = tracemalloc.take_snapshot().statistics("traceback")[:10]
    with open(sys.argv[1], "w") as out:
        for stat in top:
            out.write(f"{stat.size / 1024:+.1f} KiB in {stat.count:+d} blocks\\n")
            out.write("\\n".join("    " + line for line in stat.traceback.format()[-12:]) + "\\n")
signal.signal(signal.SIGUSR1, dump)
from codefloor.cli import main
sys.exit(main(["serve"]))
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def run(requests: int, traced: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="codefloor-mem-") as tmp, pe.running_fakes(BODY, subprocess=True) as fakes:
        for fake in fakes.all():
            fake.set_default(b.ok(BODY))
        env = pe.server_env(Path(tmp), fakes, timeout_s=10.0)
        client = rawlsp.RawClient(env, debug_log=False)
        report = Path(tmp) / "tracemalloc.txt"
        if traced:
            client.command = [sys.executable, "-c", _TRACED_SERVER, str(report)]
        await client.start()
        folder = Path(tmp) / "w"
        folder.mkdir()
        client.settings[folder.as_uri()] = {"minCodingScore": pe.FLOOR}
        await client.initialize([folder])
        pid = client._proc.pid
        samples: list[tuple[int, float]] = []
        edits = failures = 0
        started = time.perf_counter()
        try:
            for i in range(requests + 1):
                if i % max(1, requests // 10) == 0:
                    samples.append((i, rss_mb(pid)))
                    print(f"  after {i:>5} requests: RSS {samples[-1][1]:.1f} MB", flush=True)
                if traced and i in (requests // 2, requests):
                    os.kill(pid, signal.SIGUSR1)
                    if i == requests:
                        await client.wait_for(report.exists, 60)
                if i == requests:
                    break
                path = folder / f"f{i}.py"
                path.write_text(STUB, encoding="utf-8")
                uri = client.open(path, STUB)
                listing = {"textDocument": {"uri": uri}, "range": {"start": {"line": 2, "character": 4},
                           "end": {"line": 2, "character": 4}}, "context": {"diagnostics": []}}
                actions = (await client.request("textDocument/codeAction", listing)).get("result") or []
                generate = next(a for a in actions if a["title"].startswith("Generate body"))
                answer = await client.request("codeAction/resolve", generate)
                edits += bool((answer.get("result") or {}).get("edit"))
                failures += "error" in answer
                client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
                path.unlink()
                client.frames.clear()  # this client's own memory is not what is measured
                client.messages.clear()
        finally:
            await client.stop()
        elapsed = time.perf_counter() - started
        top = report.read_text() if traced and report.exists() else ""
    middle = samples[len(samples) // 2][1]
    return {"samples": samples, "edits": edits, "failures": failures, "elapsed_s": elapsed, "first_half_mb": middle - samples[1][1],
            "second_half_mb": samples[-1][1] - middle, "tracemalloc": top}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(run(args.requests, args.tracemalloc))
    n = args.requests
    print(f"{n} requests on fresh documents in {result['elapsed_s']:.0f} s: {result['edits']} edits, {result['failures']} errors")
    print(f"RSS growth: first half (after warm-up, {n // 10}-{n // 2}) {result['first_half_mb']:+.1f} MB, "
          f"second half ({n // 2}-{n}) {result['second_half_mb']:+.1f} MB "
          f"({result['second_half_mb'] / (n / 2) * 1000:+.2f} MB per 1,000 requests); target: within {TARGET_MB:g} MB")
    if result["tracemalloc"]:
        print("biggest growths, middle -> end of the run (tracemalloc):\n" + result["tracemalloc"])
    flat = abs(result["second_half_mb"]) <= TARGET_MB and result["edits"] == n
    print("PASS" if flat else "FAIL")
    return 0 if flat else 1


if __name__ == "__main__":
    raise SystemExit(main())
