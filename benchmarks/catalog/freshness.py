"""What noticing a newer catalog costs a request: Router.pool (one os.stat of <data dir>/catalog.json
via CatalogFollower.current) against the fixed pool it replaced, alone and inside a whole decide().

    python benchmarks/catalog/freshness.py [--batches 15] [--calls 20000]

All in one process, batches interleaved so machine load hits every case alike. Prints the median
per call (microseconds) of each case and the ratio to its baseline:
- fixed pool attribute (baseline: what Router.pool was) vs the following property as shipped (a
  clock read; the file is looked at every CHECK_EVERY_S), and looking at the file on every call
  (every_s=0) with the user catalog absent (stat fails: ENOENT) and present (file unchanged);
- Router.decide() with a fixed pool (baseline) vs following the file;
- once per landed file: reload + rebuilding the pool (what the first request after an update pays).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "server"))

from codefloor.catalog import load as catalog_load  # noqa: E402
from codefloor.catalog.load import BUNDLED_CATALOG, user_catalog_path  # noqa: E402
from codefloor.router import Router  # noqa: E402
from codefloor.selection import Preferences, Request  # noqa: E402


def per_call_us(fn, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - start) / calls * 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=15)
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="codefloor-freshness-"))
    absent_env = {"CODEFLOOR_DATA_DIR": str(folder / "absent"), "OPENAI_API_KEY": "sk-bench", "DEEPSEEK_API_KEY": "sk-bench"}
    present_env = {**absent_env, "CODEFLOOR_DATA_DIR": str(folder / "present")}
    target = user_catalog_path(present_env)
    target.parent.mkdir(parents=True)
    target.write_bytes(BUNDLED_CATALOG.read_bytes())

    fixed = Router.from_environment(env=absent_env, probe_ollama=False)
    fixed._catalog_now = None  # what the router did before: one pool, built once
    shipped = Router.from_environment(env=present_env, probe_ollama=False)
    catalog_load.CHECK_EVERY_S = 0.0  # the routers below look at the file on every call
    absent = Router.from_environment(env=absent_env, probe_ollama=False)
    present = Router.from_environment(env=present_env, probe_ollama=False)
    request, prefs = Request(), Preferences(min_coding_score=60)
    cases = {
        "fixed pool attribute (baseline)": lambda: fixed._pool,
        "Router.pool as shipped (every 0.25 s)": lambda: shipped.pool,
        "Router.pool, stat every call, no file": lambda: absent.pool,
        "Router.pool, stat every call, unchanged": lambda: present.pool,
        "decide(), fixed pool (baseline)": lambda: fixed.decide(request, prefs),
        "decide(), as shipped": lambda: shipped.decide(request, prefs),
        "decide(), stat every call": lambda: present.decide(request, prefs),
        "os.stat(catalog.json) alone": lambda: os.stat(target),
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.batches):
        for name, fn in cases.items():
            calls = args.calls if "decide" not in name else max(args.calls // 10, 100)
            samples[name].append(per_call_us(fn, calls))

    swaps = []
    document = json.loads(BUNDLED_CATALOG.read_text(encoding="utf-8"))
    for i in range(args.batches):
        document["as_of"] = f"2099-01-{i + 1:02d}"
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(document), encoding="utf-8")
        os.replace(tmp, target)
        start = time.perf_counter()
        present.pool  # noqa: B018 - notices, reloads, rebuilds
        swaps.append((time.perf_counter() - start) * 1000)

    med = {name: statistics.median(values) for name, values in samples.items()}
    low = {name: min(values) for name, values in samples.items()}  # least disturbed by other load
    print(f"{args.batches} interleaved batches; {args.calls} calls per batch ({args.calls // 10} for decide)")
    print(f"{'case':42s} {'median us':>10s} {'min us':>8s} {'median vs baseline':>19s}")
    for name, value in med.items():
        base = med["decide(), fixed pool (baseline)"] if "decide" in name else med["fixed pool attribute (baseline)"]
        ratio = f"{value / base:10.2f}x" if "stat(" not in name else ""
        print(f"{name:42s} {value:10.3f} {low[name]:8.3f} {ratio:>19s}")
    base = low["decide(), fixed pool (baseline)"]
    for name in ("Router.pool as shipped (every 0.25 s)", "Router.pool, stat every call, unchanged"):
        extra = low[name] - low["fixed pool attribute (baseline)"]
        print(f"added per request by {name.removeprefix('Router.pool')!r:32s}: {extra:.3f} us "
              f"= {extra / base * 100:.1f}% of the fastest decide() ({base:.1f} us)")
    print(f"first request after a new catalog lands (reload + pool rebuild): median {statistics.median(swaps):.1f} ms, "
          f"max {max(swaps):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
