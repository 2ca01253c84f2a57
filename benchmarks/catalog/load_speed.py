"""How long `load_catalog` takes at server startup, beside reading the same JSON with json.loads.

    python benchmarks/catalog/load_speed.py [--repeat 200]

Prints the median and p95 in milliseconds of:
- json.loads of the bundled catalog.json (baseline: the least any loader must do),
- a cold load (parse + validate every card; what the first call in a process costs),
- a warm load (the per-process cache hit every later call gets),
- a warm load merging three user [[models]] tables (what a user with overrides pays per call).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

from codefloor.catalog import load as catalog_load
from codefloor.config import UserConfig

USER = UserConfig(
    models=[
        {"id": "gpt-5", "routes": [{"provider": "openai", "input_price_per_mtok": 1.0}]},
        {"id": "qwen2.5-coder-7b", "coding_score": 30},
        {"id": "my-coder", "coding_score": 35, "routes": [{"provider": "ollama", "model_name": "my-coder:14b"}]},
    ],
    source_path="config.toml",
)


def timed(fn: Callable[[], object], repeat: int, before: Callable[[], None] = lambda: None) -> list[float]:
    samples = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    repeat = parser.parse_args().repeat
    path = catalog_load.BUNDLED_CATALOG
    text = path.read_text(encoding="utf-8")
    cards = len(catalog_load.load_catalog().cards)
    rows = [
        ("json.loads only (baseline)", timed(lambda: json.loads(text), repeat)),
        ("load_catalog() cold", timed(catalog_load.load_catalog, repeat, catalog_load._snapshots.clear)),
        ("load_catalog() warm (cached)", timed(catalog_load.load_catalog, repeat)),
        ("load_catalog(config) warm + 3 user models", timed(lambda: catalog_load.load_catalog(USER), repeat)),
    ]
    baseline = statistics.median(rows[0][1])
    print(f"catalog: {path.name}, {path.stat().st_size:,} bytes, {cards} cards; {repeat} runs each")
    print(f"{'case':44s} {'median ms':>10s} {'p95 ms':>8s} {'x baseline':>11s}")
    for name, samples in rows:
        median = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[-1]
        print(f"{name:44s} {median:10.3f} {p95:8.3f} {median / baseline:11.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
