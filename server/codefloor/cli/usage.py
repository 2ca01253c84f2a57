"""`codefloor usage [--json] [--since YYYY-MM-DD]`: what was spent, by day, folder and model (UTC days),
and what completions cost per hour of use in each folder over the last 7 days (completion_spend.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import json


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-31") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "usage",
        help="spend and tokens from the ledger, by day, folder and model",
        description="Sum what codefloor spent, from its ledger (every attempt: model, tokens, cost, outcome), by UTC "
        "day, workspace folder and model. A cost is what the provider reported, else tokens x the catalog route price. "
        "Then, per folder, what inline completions cost per hour of use over the last 7 days (whatever --since says): "
        "an hour of use is the time between the folder's consecutive completion requests, each gap counted up to "
        "a few minutes, so idle time does not count (docs/settings.md, completion.maxCostPerHourUsd).",
    )
    parser.add_argument("--since", type=date_arg, default=None, metavar="YYYY-MM-DD", help="first UTC day to include")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from codefloor.completion_spend import USE_GAP_CAP_S, USE_WINDOW_DAYS, hours_of_use
    from codefloor.config import data_dir
    from codefloor.ledger import FILE_NAME, Ledger

    path = data_dir() / FILE_NAME
    if not path.exists():
        summary = {"since": args.since.isoformat() if args.since else None, "total_usd": 0.0, "attempts": 0,
                   "by_day": [], "by_folder": [], "by_model": [], "completion_per_hour_of_use": []}
    else:
        ledger = Ledger(path)
        try:
            summary = ledger.summary(args.since)
            summary["completion_per_hour_of_use"] = [{"folder": use.folder, **use.payload()} for use in hours_of_use(ledger)]
        finally:
            ledger.close()
    summary["ledger"] = str(path)
    if args.json:
        print(json.dumps(summary, indent=2))
        return 0
    since = f" since {summary['since']}" if summary["since"] else ""
    print(f"Spent ${summary['total_usd']:.6f} over {summary['attempts']} attempts{since} (UTC days; ledger: {path})")
    for title, key in (("By day", "day"), ("By folder", "folder"), ("By model", "model")):
        rows = summary[f"by_{key}"]
        if not rows:
            continue
        print(f"\n{title}")
        width = max(len(str(row[key]) or "-") for row in rows)
        for row in rows:
            cost = f"${row['cost_usd']:.6f}"
            print(f"  {str(row[key]) or '-':<{width}}  {cost:>12}  {row['attempts']:>5} attempts"
                  f" ({row['ok']} ok)  {row['input_tokens']} in / {row['output_tokens']} out tokens")
    if uses := summary["completion_per_hour_of_use"]:
        print(f"\nCompletions per hour of use, last {USE_WINDOW_DAYS} days (use: the time between a folder's completion "
              f"requests, each gap counted up to {USE_GAP_CAP_S / 60:g} min)")
        width = max(len(use["folder"] or "-") for use in uses)
        for use in uses:
            print(f"  {use['folder'] or '-':<{width}}  {use['text']}")
    return 0
