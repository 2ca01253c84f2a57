"""Loop time of one keystroke on a 20 MB file, through the real didChange path of `codefloor serve`
(pygls' document sync, codefloor's document model, the syntax tree, the written regions), against a
plain pygls server (benchmarks/actions/plain_pygls.py) given the same keystrokes in the same run.

    python benchmarks/actions/keystrokes.py [--mb 20] [--n 300] [--n-baseline 20]

Both servers run over stdio as subprocesses. A keystroke is an incremental didChange followed at
once by a hover (one loop, handled in order): its round trip holds the keystroke's loop time plus
one hover; a hover alone, interleaved, is the floor subtracted. What load does not inflate: the
CPU time of the server's loop thread per keystroke (/proc/<pid>/schedstat, hovers alone
subtracted). Keystrokes mix typing a digit, backspace and Enter at random places; codefloor has
built the file's syntax tree first (one listing), so Tree.edit is on the path. At the end the server's copy is
checked: Generate body is offered on a stub whose line moved with the Enters.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "lsp")]

from large_file import one_class, pct  # noqa: E402
from run import Client, server_env  # noqa: E402


def cpu_s(pid: int) -> float:
    """CPU time of the server's main thread, its event loop (what time.thread_time would say there),
    in ns from /proc/<pid>/schedstat: utime in /proc/<pid>/stat counts 10 ms ticks."""
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def keystrokes(client: Client, uri: str, lines: list[str], n: int, seed: int) -> dict:
    """n keystrokes (each followed by a hover) interleaved with n hovers alone; `lines` is the client's
    copy, kept in step. Returns ms: keystroke+hover and hover alone, wall and loop thread CPU each."""
    rng = random.Random(seed)
    hover = {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}
    version = 1000 * seed
    typed, alone, typed_cpu, alone_cpu = [], [], [], []
    for i in range(n):
        row = rng.randrange(len(lines))
        while not lines[row].startswith("        return x"):
            row = (row + 1) % len(lines)
        kind = i % 4
        if kind in (0, 1):  # type a digit
            start = end = (row, 19)
            text = "1"
        elif kind == 2:  # backspace
            start, end, text = (row, 18), (row, 19), ""
        else:  # Enter at the end of the line, with the indentation the editor adds
            start = end = (row, len(lines[row]))
            text = "\n        "
        version += 1
        change = {"range": {"start": {"line": start[0], "character": start[1]}, "end": {"line": end[0], "character": end[1]}}, "text": text}
        params = {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}
        c0 = cpu_s(client.proc.pid)
        t0 = time.perf_counter()
        client.notify("textDocument/didChange", params)
        client.request("textDocument/hover", hover)
        t1 = time.perf_counter()
        c1 = cpu_s(client.proc.pid)
        client.request("textDocument/hover", hover)
        t2 = time.perf_counter()
        c2 = cpu_s(client.proc.pid)
        typed.append((t1 - t0) * 1000)
        alone.append((t2 - t1) * 1000)
        typed_cpu.append((c1 - c0) * 1000)
        alone_cpu.append((c2 - c1) * 1000)
        line = lines[row]
        new = line[: start[1]] + text + line[end[1] :]
        lines[row : row + 1] = new.split("\n")
    return {"typed": typed, "alone": alone, "typed_cpu": typed_cpu, "alone_cpu": alone_cpu}


def run(command: list[str] | None, env: dict[str, str], root: Path, text: str, n: int, seed: int, check: bool) -> dict:
    client = Client(env, command)
    try:
        client.initialize(root)
        uri = (root / "big.py").as_uri()
        client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 0, "text": text}})
        lines = text.split("\n")
        action = lambda row: {"textDocument": {"uri": uri}, "range": {"start": {"line": row, "character": 4}, "end": {"line": row, "character": 4}},
                              "context": {"diagnostics": []}}
        if check:
            client.request("textDocument/codeAction", action(5), timeout=600)  # builds the tree (one full parse)
        for _ in range(5):  # warm up
            client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}, timeout=600)
        result = keystrokes(client, uri, lines, n, seed)
        if check:
            stub = max(i for i, line in enumerate(lines[: len(lines) // 2]) if line.startswith("    def stub_"))
            titles = [a["title"] for a in client.request("textDocument/codeAction", action(stub + 1), timeout=600).get("result") or []]
            assert any(t.startswith("Generate body") for t in titles), (stub, titles)
        result["rss_mb"] = client.rss_mb()
        return result
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=20)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--n-baseline", type=int, default=20)
    args = parser.parse_args()
    text = one_class(args.mb)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        root = tmp / "w"
        root.mkdir()
        env = server_env(tmp, "http://127.0.0.1:9")
        ours = run(None, env, root, text, args.n, 1, check=True)
        base = run([sys.executable, str(HERE / "plain_pygls.py")], env, root, text, args.n_baseline, 2, check=False)
    load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"{args.mb:g} MB file ({len(text.encode()) / 1e6:.1f} MB, {text.count(chr(10)):,} lines), load average {load}")
    cpu = {}
    for name, r in (("codefloor serve", ours), ("plain pygls 2.1.1", base)):
        floor, cpu_floor = pct(r["alone"], 0.5), statistics.mean(r["alone_cpu"])
        cpu[name] = statistics.mean(r["typed_cpu"]) - cpu_floor
        print(f"{name} ({len(r['typed'])} keystrokes): didChange+hover p50 {pct(r['typed'], .5):.2f} ms, p99 {pct(r['typed'], .99):.2f} ms; "
              f"hover alone p50 {floor:.2f} ms, p99 {pct(r['alone'], .99):.2f} ms; keystroke loop time p50 {pct(r['typed'], .5) - floor:.2f} ms, p99 {pct(r['typed'], .99) - floor:.2f} ms; "
              f"RSS {r['rss_mb']:.0f} MB")
        print(f"  loop thread CPU: a keystroke (mean, hover subtracted) {cpu[name]:.3f} ms; didChange+hover p50 {pct(r['typed_cpu'], .5):.3f} ms, "
              f"p99 {pct(r['typed_cpu'], .99):.3f} ms; hover alone p50 {pct(r['alone_cpu'], .5):.3f} ms")
    print(f"ratio codefloor / plain pygls: loop time p50 {pct(ours['typed'], .5) / pct(base['typed'], .5):.4f}, "
          f"CPU {cpu['codefloor serve'] / cpu['plain pygls 2.1.1']:.4f} (target: keystroke loop time <= 5 ms)")


if __name__ == "__main__":
    main()
