"""The fits of the bundled catalog, and whether combining two mapped sources predicts Aider better.

    python benchmarks/catalog/fits.py

For every usable fit: n, Pearson r, leave-one-out (LOO) RMSE and worst error, the share of held-out
models within +/- LOO RMSE, and the LOO RMSE of predicting the mean instead (the baseline a fit must
beat). Then, over the models with an Aider score AND both SWE-bench bash-only and the AA coding
index, the LOO RMSE of each single map and of their average: the build prefers the source with the
smaller interval unless the combination is measured to predict better.
"""

from __future__ import annotations

import math

from codefloor.catalog.build import BUNDLED_SOURCES, catalog_document, read_sources
from codefloor.catalog.scores import linear_fit
from codefloor.catalog.sources import AA_CODING

SWE = "swe-bench-bash-only"


def rmse(errors: list[float]) -> float:
    return math.sqrt(sum(e * e for e in errors) / len(errors))


def main() -> int:
    fits = catalog_document(read_sources(BUNDLED_SOURCES))["fits"]  # the fits exactly as the build made them
    print("| benchmark | n | Pearson r | LOO RMSE | worst LOO error | within +/- RMSE | baseline LOO RMSE | used |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, fit in fits.items():
        print(f"| {name} | {fit['n']} | {fit['pearson_r']:.3f} | {fit['loo_rmse']:.1f} | {fit['loo_max_error']:.1f} | "
              f"{fit['loo_within_rmse']:.0%} | {fit['baseline_loo_rmse']:.1f} | {'yes' if fit['used'] else 'no'} |")
    pairs = {b: fits[b]["pairs"] for b in (SWE, AA_CODING)}
    both = sorted(set(pairs[SWE]) & set(pairs[AA_CODING]))
    errors: dict[str, list[float]] = {SWE: [], AA_CODING: [], "average of the two": []}
    for key in both:
        predictions = {}
        for benchmark in (SWE, AA_CODING):
            rest = [(p["raw"], p["aider"]) for k, p in pairs[benchmark].items() if k != key]
            slope, intercept, _ = linear_fit(rest)
            predictions[benchmark] = slope * pairs[benchmark][key]["raw"] + intercept
        truth = pairs[SWE][key]["aider"]
        for benchmark, value in predictions.items():
            errors[benchmark].append(value - truth)
        errors["average of the two"].append(sum(predictions.values()) / 2 - truth)
    print(f"\nModels with an Aider score, SWE-bench bash-only and the AA coding index: {len(both)} ({', '.join(both)})")
    for name, values in errors.items():
        print(f"  LOO RMSE of {name}: {rmse(values):.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
