"""`codefloor catalog build`: rebuild the model catalog snapshot from the public sources."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path

from codefloor.cli.common import fail


def _iso_date(text: str) -> str:
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("catalog", help="build the model catalog from public benchmark and price data")
    actions = parser.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    build = actions.add_parser(
        "build",
        help="write the catalog snapshot (deterministic)",
        description="Join the Aider, SWE-bench, EvalPlus, LiteLLM and OpenRouter sources into model cards.",
    )
    build.add_argument("--sources", type=Path, help="folder of source files (default: the bundled trimmed copies)")
    build.add_argument("--out", type=Path, help="output JSON (default: the bundled catalog/data/catalog.json)")
    build.add_argument("--as-of", type=_iso_date, help="drop models deprecated before this date (default: newest source date)")
    build.set_defaults(func=run_build)


def run_build(args: argparse.Namespace) -> int:
    from codefloor.catalog.build import BUNDLED_CATALOG, BUNDLED_SOURCES, build
    from codefloor.catalog.sources import SourceError

    sources = args.sources or BUNDLED_SOURCES
    out = args.out or BUNDLED_CATALOG
    if not sources.is_dir():
        return fail(f"--sources {sources}: not a folder")
    try:
        document = build(sources, out, args.as_of)
    except SourceError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"cannot write {out}: {exc.strerror or exc}")
    models = document["models"]
    scored = sum(1 for m in models if m["coding_score"] is not None)
    providers = sorted({r["provider"] for m in models for r in m["routes"]})
    print(f"wrote {out}: {len(models)} models ({scored} scored), providers {', '.join(providers)}, as of {document['as_of']}")
    for name, fit in document["fits"].items():
        state = "used" if fit["used"] else "not used"
        print(f"  fit {name}: aider = {fit['slope']} x + {fit['intercept']} (n={fit['n']}, r={fit['pearson_r']}, {state})")
    return 0
