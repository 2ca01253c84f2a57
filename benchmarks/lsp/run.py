"""Language server speed, in one run: listing latency, routing overhead, startup, idle memory.

    python benchmarks/lsp/run.py [--listings 500] [--routed 200] [--spawns 5]

Everything runs on loopback: `codefloor serve` as a subprocess spoken to over stdio by a minimal
JSON-RPC client, and a minimal OpenAI-compatible provider (../editor_session/fake_provider.py,
answering at once) as another subprocess. Printed figures:

- code action listing p50/p99 (client round trip), next to the same-process baseline of a
  request the server answers without work (hover where codefloor wrote nothing);
- the latency a routed request adds: Router.run() through the fake provider, on the one event
  loop as the language server runs it, vs the same streamed request sent directly with httpx,
  interleaved in one process (p50 of the difference);
- spawn -> `initialize` answer (median of --spawns fresh processes);
- idle RSS of the server after it has initialised, built its router and served the listings.
Targets (issue 4): listing p99 <= 5 ms, added p50 <= 2 ms, initialize <= 500 ms, idle RSS <= 80 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.fakes.user_setup import model, user_config  # noqa: E402
from tests.fakes.user_setup import server_env as user_setup_env  # noqa: E402

STUB = 'def greet(name: str) -> str:\n    """Say hi."""\n    pass\n\n\ndef add(a, b):\n    return a + b\n' * 20
USER_CONFIG = user_config(model("bench-model", "Bench Model", 70, "openai", "bench-model", 0.001, 0.002))


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Fake:
    """The editor session's fake provider as a subprocess (keeps its work off the measured
    process), answering in one write. Not tests/fakes/server.py: http.server's many small writes
    add a ~40 ms delayed-ACK stall on reused connections, which would drown the figure measured."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "benchmarks" / "editor_session" / "fake_provider.py"), "--chunks", "1", "--interval-ms", "0"],
            cwd=REPO, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        )
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


class Client:
    """Just enough LSP client: numbered requests, answers to the server's own requests."""

    def __init__(self, env: dict[str, str], command: list[str] | None = None) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            command or [sys.executable, "-m", "codefloor", "serve"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.next_id = 0
        self.answers: dict[int, tuple[threading.Event, list]] = {}
        self.settings = {"minCodingScore": 60}
        threading.Thread(target=self._read, daemon=True).start()

    def _send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            message = json.loads(stream.read(length))
            if "method" in message and "id" in message:  # a request from the server
                result = [self.settings] * len(message["params"]["items"]) if message["method"] == "workspace/configuration" else None
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
            elif "id" in message and message["id"] in self.answers:
                event, box = self.answers[message["id"]]
                box.append(message)
                event.set()

    def request(self, method: str, params: dict, timeout: float = 30) -> dict:
        self.next_id += 1
        event, box = threading.Event(), []
        self.answers[self.next_id] = (event, box)
        self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        if not event.wait(timeout):
            raise TimeoutError(method)
        del self.answers[self.next_id]
        return box[0]

    def notify(self, method: str, params: dict) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def initialize(self, root: Path) -> float:
        caps = {"workspace": {"configuration": True}, "textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}, "dataSupport": True}}}
        params = {"processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": caps, "workspaceFolders": [{"uri": root.as_uri(), "name": "w"}]}
        self.request("initialize", params)
        elapsed = time.perf_counter() - self.started
        self.notify("initialized", {})
        return elapsed

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=5)  # type: ignore[arg-type]
            self.notify("exit", None)  # type: ignore[arg-type]
            self.proc.wait(5)
        except Exception:
            self.proc.kill()


def server_env(tmp: Path, fake_url: str) -> dict[str, str]:
    return user_setup_env(tmp, USER_CONFIG, {"openai": ("sk-bench-000000000000", fake_url + "/v1")}, 9, PYTHONPATH=str(REPO))


def spawn_baseline(env: dict[str, str]) -> float:
    """A process that only imports pygls's server and exits: the floor any pygls server pays."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pygls.lsp.server"], env=env, check=True)
    return time.perf_counter() - started


def bench_server(env: dict[str, str], root: Path, listings: int, spawns: int) -> dict:
    init_times, floor_times = [], []
    for _ in range(spawns):  # interleaved with the baseline so both see the same load
        client = Client(env)
        init_times.append(client.initialize(root))
        client.close()
        floor_times.append(spawn_baseline(env))

    client = Client(env)
    client.initialize(root)
    uri = (root / "m.py").as_uri()
    (root / "m.py").write_text(STUB, encoding="utf-8")
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": STUB}})
    action = {"textDocument": {"uri": uri}, "range": {"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 4}}, "context": {"diagnostics": []}}
    hover = {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 4}}
    first = client.request("textDocument/codeAction", action)  # waits for the router to be built
    titles = [a["title"] for a in first.get("result") or []]
    assert any(t.startswith("Generate body · bench-model") for t in titles), titles
    for _ in range(50):  # warm up
        client.request("textDocument/codeAction", action)
        client.request("textDocument/hover", hover)
    listing, baseline = [], []
    for _ in range(listings):  # interleaved so both see the same machine load
        t0 = time.perf_counter()
        client.request("textDocument/codeAction", action)
        t1 = time.perf_counter()
        client.request("textDocument/hover", hover)
        t2 = time.perf_counter()
        listing.append((t1 - t0) * 1000)
        baseline.append((t2 - t1) * 1000)
    time.sleep(1.0)
    rss = client.rss_mb()
    client.close()
    return {"init": init_times, "floor": floor_times, "listing": listing, "baseline": baseline, "rss": rss, "titles": titles}


async def bench_routing(env: dict[str, str], fake_url: str, count: int) -> tuple[list[float], list[float]]:
    os.environ.update({k: v for k, v in env.items() if k.startswith(("CODEFLOOR_", "OPENAI_", "OLLAMA_"))})
    import httpx

    from codefloor.providers.types import ChatRequest, Message
    from codefloor.router import Router
    from codefloor.selection.types import Preferences, Request

    router = Router.from_environment(probe_ollama=False)

    async def call_routed() -> None:
        await router.run(chat, request, prefs, decision=router.decide(request, prefs))

    chat = ChatRequest(messages=(Message("user", "say ok"),), max_tokens=16)
    request, prefs = Request(input_tokens=10, output_tokens=16), Preferences(min_coding_score=60)
    decision = router.decide(request, prefs)
    assert decision.chosen.card.id == "bench-model", decision.chosen.card.id
    body = {"model": "bench-model", "messages": [{"role": "user", "content": "say ok"}], "max_tokens": 16, "stream": True,
            "stream_options": {"include_usage": True}}
    headers = {"Authorization": "Bearer sk-bench-000000000000"}
    routed, direct = [], []
    async with httpx.AsyncClient(timeout=10) as http:

        async def call_direct() -> None:
            async with http.stream("POST", fake_url + "/v1/chat/completions", json=body, headers=headers) as response:
                async for _ in response.aiter_lines():
                    pass

        for _ in range(20):  # warm up both paths (connections, imports)
            await call_routed()
            await call_direct()
        for _ in range(count):
            t0 = time.perf_counter()
            await call_routed()
            t1 = time.perf_counter()
            await call_direct()
            t2 = time.perf_counter()
            routed.append((t1 - t0) * 1000)
            direct.append((t2 - t1) * 1000)
    await router.aclose()
    return routed, direct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--listings", type=int, default=500)
    parser.add_argument("--routed", type=int, default=200)
    parser.add_argument("--spawns", type=int, default=5)
    args = parser.parse_args()
    fake = Fake()
    try:
        with tempfile.TemporaryDirectory() as tmp_name:
            tmp = Path(tmp_name)
            root = tmp / "w"
            root.mkdir()
            env = server_env(tmp, fake.url)
            server = bench_server(env, root, args.listings, args.spawns)
            routed, direct = asyncio.run(bench_routing(env, fake.url, args.routed))
    finally:
        fake.stop()

    listing, baseline = server["listing"], server["baseline"]
    added = [r - d for r, d in zip(routed, direct)]
    rows = [
        ("code action listing p50", f"{percentile(listing, 0.5):.2f} ms", f"baseline (hover, no work) p50 {percentile(baseline, 0.5):.2f} ms, ratio {percentile(listing, 0.5) / percentile(baseline, 0.5):.2f}x"),
        ("code action listing p99", f"{percentile(listing, 0.99):.2f} ms", f"baseline p99 {percentile(baseline, 0.99):.2f} ms; target <= 5 ms"),
        ("routed request added p50", f"{statistics.median(added):.2f} ms", f"Router.run p50 {statistics.median(routed):.2f} ms vs direct httpx p50 {statistics.median(direct):.2f} ms (ratio {statistics.median(routed) / statistics.median(direct):.2f}x); target <= 2 ms"),
        ("spawn -> initialize", f"{statistics.median(server['init']) * 1000:.0f} ms", f"median of {len(server['init'])}; baseline `python -c 'import pygls.lsp.server'` {statistics.median(server['floor']) * 1000:.0f} ms (ratio {statistics.median(server['init']) / statistics.median(server['floor']):.2f}x); target <= 500 ms"),
        ("idle RSS", f"{server['rss']:.1f} MB", "after initialize, router built, listings served; target <= 80 MB"),
    ]
    print(f"codefloor language server benchmark ({args.listings} listings, {args.routed} routed requests, Python {sys.version.split()[0]})")
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>10}   {note}")


if __name__ == "__main__":
    main()
