"""A realistic editor session through `codefloor serve`, with the same calls made directly as baseline.

    python benchmarks/editor_session/run.py [--seconds 60] [--rev REV ...] [--rounds 1]

One user types at 10 characters a second into a 10,000-line Python file with inline completions on
(debounceMs 0, so what is measured is codefloor, not the debounce), moves the cursor in another file
(a code action listing every 200 ms), keeps 5 code actions streaming at once there, while 10 more
background streams run on other files. The provider is a loopback fake in its own process
(fake_provider.py): completions answer at once, code actions stream 40 events 50 ms apart (~2 s).

Baselines, in the same run and under the same load:
- listing: a hover where codefloor has nothing to say (what any pygls round trip costs);
- inline completion: after each one, the same FIM call made directly from this process with httpx;
  "overhead" is the p50 of the per-keystroke difference;
- didChange: in a separate process (keystrokes.py), the same 600 keystrokes on the 10,000-line file
  handled by codefloor's protocol and by a plain pygls LanguageServer; also, in the session, the
  round trip of `didChange + hover` next to `hover` alone;
- streams: one more code-action answer streamed directly from this process at the same time.

--rev runs the session against `server/` as committed at each git revision (exported to a temporary
folder, same interpreter and packages), `--rounds` slices of each in turn, so designs compare in one
run under the same machine load; ratios are against the first --rev. Without --rev: the working tree.
Targets (issue 15): listing p99 <= 5 ms, inline-completion overhead p50 <= 1 ms, didChange p99 <= 1 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tarfile
import io
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.fakes.user_setup import model, server_env, user_config  # noqa: E402
from tests.reliability.rawlsp import RawClient  # noqa: E402

import httpx  # noqa: E402

HERE = Path(__file__).parent
TYPED_LINE = 5000  # the user types on this line of the 10,000-line file
TYPING = "total = compute(values, weights) + offset * 2  # adjust"
KEYS_PER_S = 10
LISTINGS_PER_S = 5
FOREGROUND_STREAMS = 5
BACKGROUND_STREAMS = 10
ACTION_DOC = 'def greet(name: str) -> str:\n    """Say hi."""\n    pass\n\n\n' + "".join(
    f"def helper_{i}(x):\n    return x + {i}\n\n\n" for i in range(60)
)
USER_CONFIG = user_config(
    model("bench-chat", "Bench Chat", 70, "openai", "bench-chat", 0.001, 0.002),
    model("bench-fim", "Bench FIM", 70, "mistral", "bench-fim", 0.002, 0.004, fim=True),
)


def big_file() -> str:
    """10,000 lines."""
    return "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(2500))


def percentile(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Samples:
    listing: list[float] = field(default_factory=list)
    hover: list[float] = field(default_factory=list)
    completion: list[float] = field(default_factory=list)
    direct_completion: list[float] = field(default_factory=list)
    overhead: list[float] = field(default_factory=list)
    change_hover: list[float] = field(default_factory=list)
    typed_hover: list[float] = field(default_factory=list)
    action_s: list[float] = field(default_factory=list)
    direct_stream_s: list[float] = field(default_factory=list)
    keystroke_handler: list[float] = field(default_factory=list)
    keystroke_pygls: list[float] = field(default_factory=list)
    cpu_s: float = 0.0
    seconds: float = 0.0
    rss_mb: list[float] = field(default_factory=list)
    lost: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Samples) -> None:
        for name, value in vars(other).items():
            if isinstance(value, list):
                getattr(self, name).extend(value)
        self.cpu_s += other.cpu_s
        self.seconds += other.seconds
        self.lost += other.lost


# -- the fake provider and the revisions ---------------------------------------------------------------
class Fake:
    def __init__(self, *args: str) -> None:
        """`args`: fake_provider.py's options (--chunks, --interval-ms, --first-byte-ms)."""
        self.proc = subprocess.Popen([sys.executable, str(HERE / "fake_provider.py"), *args], stdout=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True)
        self.url = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


def export(rev: str, into: Path) -> Path:
    """`server/` at a git revision, as a folder to put on PYTHONPATH ("WORKTREE": the working tree;
    "DIR:path": a folder holding a server/ tree, e.g. an experiment not committed yet)."""
    if rev == "WORKTREE":
        return REPO / "server"
    if rev.startswith("DIR:"):
        return Path(rev[4:]) / "server"
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev, "server"], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / "server"


def env_for(tmp: Path, fake_url: str, server_dir: Path) -> dict[str, str]:
    providers = {"openai": ("sk-bench-000000000000", fake_url + "/v1"), "mistral": ("sk-bench-111111111111", fake_url + "/v1")}
    return server_env(tmp, USER_CONFIG, providers, 9, PYTHONPATH=str(server_dir))


# -- the session ---------------------------------------------------------------------------------------
def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _listing(uri: str, line: int) -> dict:
    return {"textDocument": {"uri": uri}, "range": {"start": {"line": line, "character": 4}, "end": {"line": line, "character": 4}},
            "context": {"diagnostics": []}}


async def session(server_dir: Path, fake_url: str, seconds: float) -> Samples:
    import httpx

    out = Samples()
    with tempfile.TemporaryDirectory(prefix="codefloor-session-") as tmp_name:
        tmp = Path(tmp_name)
        folder = tmp / "w"
        folder.mkdir()
        env = env_for(tmp, fake_url, server_dir)
        client = RawClient(env, debug_log=False)
        client.settings[folder.as_uri()] = {"minCodingScore": 60, "completion": {"debounceMs": 0}}
        await client.start()
        try:
            await client.initialize([folder])
            text = big_file()
            big = client.open(folder / "big.py", text)
            docs = [client.open(folder / f"act{i:02}.py", ACTION_DOC) for i in range(1 + BACKGROUND_STREAMS)]
            for i, uri in enumerate(docs):
                (folder / f"act{i:02}.py").write_text(ACTION_DOC, encoding="utf-8")
            actions = {uri: await _generate_action(client, uri) for uri in docs}
            pid = client._proc.pid
            stop_at = time.perf_counter() + seconds
            cpu_before, started = _cpu_s(pid), time.perf_counter()
            async with httpx.AsyncClient(timeout=30) as http:
                jobs = [_typist(client, http, fake_url, big, text, stop_at, out), _lister(client, docs[0], stop_at, pid, out),
                        _direct_streams(http, fake_url, stop_at, out)]
                jobs += [_streams(client, actions[docs[0]], stop_at, out) for _ in range(FOREGROUND_STREAMS)]
                jobs += [_streams(client, actions[uri], stop_at, out) for uri in docs[1:]]
                await asyncio.gather(*jobs)
            out.seconds = time.perf_counter() - started
            out.cpu_s = _cpu_s(pid) - cpu_before
            out.rss_mb.append(_rss_mb(pid))
            if not client.alive:
                out.lost += 1
                out.notes.append("the server exited")
        finally:
            await client.stop()
    return out


async def _generate_action(client: RawClient, uri: str) -> dict:
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:  # the first listings wait for the router to be built
        found = (await client.request("textDocument/codeAction", _listing(uri, 2))).get("result") or []
        for action in found:
            if action["title"].startswith("Generate body · bench-chat"):
                return action
        await asyncio.sleep(0.05)
    raise RuntimeError(f"no 'Generate body · bench-chat' action for {uri}")


def _direct_fim(http, fake_url: str, body: dict, path: str = "/v1/fim/completions",
                key: str = "sk-bench-111111111111") -> float:
    """The completion's FIM call made directly, timed on a thread of its own: like the LSP answers
    (stamped by rawlsp's reader thread), it does not include this process's busy event loop."""
    t0 = time.perf_counter()
    with http.stream("POST", fake_url + path, json=body, headers={"Authorization": f"Bearer {key}"}) as response:
        for _ in response.iter_lines():
            pass
    return (time.perf_counter() - t0) * 1000


async def _typist(client: RawClient, http, fake_url: str, uri: str, text: str, stop_at: float, out: Samples) -> None:
    """10 keystrokes a second on one line in the middle of the 10,000-line file: didChange, then an
    automatic inline completion, then the same FIM call directly; a hover measures the didChange."""
    direct = httpx.Client(timeout=30)
    lines = text.split("\n")
    offset_of_line = sum(len(line) + 1 for line in lines[:TYPED_LINE])
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                             "contentChanges": [{"range": _range(TYPED_LINE, 0, TYPED_LINE, 0), "text": "\n"}]})
    version, col, typed = 2, 0, ""
    next_key = time.perf_counter()
    hover = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}
    while time.perf_counter() < stop_at:
        next_key += 1 / KEYS_PER_S
        version += 1
        if col == len(TYPING):  # the line is typed: clear it and start again
            change = {"range": _range(TYPED_LINE, 0, TYPED_LINE, col), "text": ""}
            col, typed = 0, ""
        else:
            change = {"range": _range(TYPED_LINE, col, TYPED_LINE, col), "text": TYPING[col]}
            typed += TYPING[col]
            col += 1
        client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        _, ms = await client.timed_request("textDocument/hover", hover)
        out.change_hover.append(ms)
        _, ms = await client.timed_request("textDocument/hover", hover)
        out.typed_hover.append(ms)
        params = {"textDocument": {"uri": uri}, "position": {"line": TYPED_LINE, "character": col}, "context": {"triggerKind": 2}}
        answer, lsp_ms = await client.timed_request("textDocument/inlineCompletion", params)
        if "error" in answer or not (answer.get("result") or {}).get("items"):
            out.lost += 1
            out.notes.append(f"completion without an item: {str(answer)[:200]}")
        body = {"model": "bench-fim", "prompt": (text[: offset_of_line] + typed)[-6144:], "suffix": "\n" + text[offset_of_line:][:2048],
                "max_tokens": 128, "temperature": 0.0, "stream": True, "stop": ["\n\n\n"]}
        direct_ms = await asyncio.to_thread(_direct_fim, direct, fake_url, body)
        out.completion.append(lsp_ms)
        out.direct_completion.append(direct_ms)
        out.overhead.append(lsp_ms - direct_ms)
        await asyncio.sleep(max(0.0, next_key - time.perf_counter()))
    direct.close()


def _range(l1: int, c1: int, l2: int, c2: int) -> dict:
    return {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}


async def _lister(client: RawClient, uri: str, stop_at: float, pid: int, out: Samples) -> None:
    """The cursor moves: a code action listing every 200 ms, each next to a hover with nothing to say."""
    line = 0
    while time.perf_counter() < stop_at:
        line = (line + 4) % 240
        answer, ms = await client.timed_request("textDocument/codeAction", _listing(uri, line))
        if answer.get("error"):
            out.lost += 1
            out.notes.append(f"listing failed: {answer['error']}")
        out.listing.append(ms)
        _, ms = await client.timed_request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": line, "character": 4}})
        out.hover.append(ms)
        out.rss_mb.append(_rss_mb(pid))
        await asyncio.sleep(1 / LISTINGS_PER_S)


async def _streams(client: RawClient, action: dict, stop_at: float, out: Samples) -> None:
    """One code action after another, each streamed from the fake (~2 s), until the time is up."""
    while time.perf_counter() < stop_at:
        t0 = time.perf_counter()
        answer = await client.request("codeAction/resolve", action, 60)
        if not (answer.get("result") or {}).get("edit"):
            out.lost += 1
            out.notes.append(f"code action without an edit: {str(answer)[:200]}")
            continue
        out.action_s.append(time.perf_counter() - t0)


async def _direct_streams(http, fake_url: str, stop_at: float, out: Samples) -> None:
    body = {"model": "bench-chat", "messages": [{"role": "user", "content": "write the body"}], "max_tokens": 512, "stream": True}
    while time.perf_counter() < stop_at:
        t0 = time.perf_counter()
        async with http.stream("POST", fake_url + "/v1/chat/completions", json=body,
                               headers={"Authorization": "Bearer sk-bench-000000000000"}) as response:
            async for _ in response.aiter_lines():
                pass
        out.direct_stream_s.append(time.perf_counter() - t0)


def keystrokes(server_dir: Path, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """didChange handling in-process (keystrokes.py), under the revision's codefloor."""
    result = subprocess.run([sys.executable, str(HERE / "keystrokes.py")], env={**env, "PYTHONPATH": str(server_dir)},
                            capture_output=True, text=True, check=True)
    data = json.loads(result.stdout)
    return data["codefloor_ms"], data["pygls_ms"]


# -- report --------------------------------------------------------------------------------------------
def rows(s: Samples) -> list[tuple[str, float, str]]:
    return [
        ("code action listing p50 ms", percentile(s.listing, 0.5), f"hover (nothing to say) p50 {percentile(s.hover, 0.5):.2f}"),
        ("code action listing p99 ms", percentile(s.listing, 0.99), f"hover p99 {percentile(s.hover, 0.99):.2f}; target <= 5"),
        ("inline completion overhead p50 ms", percentile(s.overhead, 0.5),
         f"via codefloor p50 {percentile(s.completion, 0.5):.2f} vs direct FIM call p50 {percentile(s.direct_completion, 0.5):.2f}; target <= 1"),
        ("inline completion overhead p99 ms", percentile(s.overhead, 0.99), ""),
        ("didChange handling p50 ms (10,000 lines)", percentile(s.keystroke_handler, 0.5), f"plain pygls p50 {percentile(s.keystroke_pygls, 0.5):.3f}"),
        ("didChange handling p99 ms (10,000 lines)", percentile(s.keystroke_handler, 0.99), f"plain pygls p99 {percentile(s.keystroke_pygls, 0.99):.3f}; target <= 1"),
        ("didChange+hover round trip p99 ms", percentile(s.change_hover, 0.99), f"hover alone p99 {percentile(s.typed_hover, 0.99):.2f} (same file, same session)"),
        ("code action answer p50 s", percentile(s.action_s, 0.5), f"the same stream direct p50 {percentile(s.direct_stream_s, 0.5):.3f}"),
        ("server CPU s per 60 s", s.cpu_s * 60 / s.seconds if s.seconds else float("nan"), ""),
        ("server RSS peak MB", max(s.rss_mb, default=float("nan")), ""),
        ("keystrokes / listings / actions", float(len(s.completion)), f"{len(s.listing)} listings, {len(s.action_s)} actions answered; lost {s.lost}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="session length per revision (split over --rounds)")
    parser.add_argument("--rev", action="append", default=[], help="git revision of server/ to run (repeat to compare)")
    parser.add_argument("--rounds", type=int, default=1, help="run every revision this many times in turn")
    args = parser.parse_args()
    revs = args.rev or ["WORKTREE"]
    fake = Fake()
    results = {rev: Samples() for rev in revs}
    try:
        with tempfile.TemporaryDirectory(prefix="codefloor-revs-") as exports:
            dirs = {rev: export(rev, Path(exports) / f"r{i}") for i, rev in enumerate(revs)}
            for round_ in range(args.rounds):
                for rev in revs:
                    print(f"round {round_ + 1}/{args.rounds}: {rev} ({args.seconds / args.rounds:g} s)", file=sys.stderr, flush=True)
                    samples = asyncio.run(session(dirs[rev], fake.url, args.seconds / args.rounds))
                    mine, plain = keystrokes(dirs[rev], env_for(Path(exports), fake.url, dirs[rev]))
                    samples.keystroke_handler, samples.keystroke_pygls = mine, plain
                    results[rev].add(samples)
                    for note in samples.notes[:5]:
                        print(f"  {rev}: {note}", file=sys.stderr)
    finally:
        fake.stop()
    print(f"editor session: {args.seconds:g} s per revision in {args.rounds} round(s); Python {sys.version.split()[0]}; "
          f"{KEYS_PER_S} keys/s, {FOREGROUND_STREAMS}+{BACKGROUND_STREAMS} streams")
    table = {rev: rows(results[rev]) for rev in revs}
    first = revs[0]
    names = [r[0] for r in table[first]]
    width = max(len(n) for n in names)
    header = f"  {'':<{width}}" + "".join(f"  {rev[:14]:>14}" for rev in revs) + ("  ratio to first" if len(revs) > 1 else "")
    print(header)
    for index, name in enumerate(names):
        values = [table[rev][index][1] for rev in revs]
        line = f"  {name:<{width}}" + "".join(f"  {v:>14.3f}" for v in values)
        if len(revs) > 1:
            line += "  " + " ".join(f"{v / values[0]:.2f}x" if values[0] else "-" for v in values[1:])
        print(line)
    for rev in revs:
        print(f"  [{rev}] " + "; ".join(f"{name}: {note}" for name, _, note in table[rev] if note))


if __name__ == "__main__":
    main()
