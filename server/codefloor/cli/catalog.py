"""`codefloor catalog build` / `codefloor catalog update`: the model catalog from the public sources.

Both write the catalog a running server follows, <data dir>/catalog.json, atomically. The bundled
snapshot (catalog/data/catalog.json, the fallback) is written only when named explicitly:
`codefloor catalog build --out server/codefloor/catalog/data/catalog.json` (a release step).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

from codefloor.cli.common import fail


def _iso_date(text: str) -> str:
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("catalog", help="update or build the model catalog from public benchmark and price data")
    actions = parser.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    update = actions.add_parser(
        "update",
        help="download the current public sources and rebuild the catalog (a running server follows)",
        description="Download OpenRouter's model list, Aider's polyglot leaderboard, SWE-bench's leaderboards and "
        "LiteLLM's prices (or the URLs in the user config's [catalog.sources]), check each, build the catalog into "
        "the user data dir and swap it in atomically. On any failure the catalog in use stays. Exit 1 when a source failed.",
    )
    update.add_argument("--json", action="store_true",
                        help='print {"catalog", "cards", "scored", "sources": {NAME: {"status", "detail"}}}')
    update.set_defaults(func=run_update)
    build = actions.add_parser(
        "build",
        help="build the catalog from local source files (deterministic)",
        description="Join the Aider, SWE-bench, EvalPlus, LiteLLM and OpenRouter sources into model cards.",
    )
    build.add_argument("--sources", type=Path, help="folder of source files (default: the bundled trimmed copies)")
    build.add_argument("--out", type=Path, help="output JSON (default: <user data dir>/catalog.json, the one a running "
                       "server follows; the bundled snapshot only when given explicitly)")
    build.add_argument("--as-of", type=_iso_date, help="drop models deprecated before this date (default: newest source date)")
    build.set_defaults(func=run_build)


def run_build(args: argparse.Namespace) -> int:
    from codefloor.catalog.build import BUNDLED_SOURCES, catalog_document, read_sources, render
    from codefloor.catalog.load import user_catalog_path
    from codefloor.catalog.sources import SourceError
    from codefloor.catalog.update import write_atomically

    sources = args.sources or BUNDLED_SOURCES
    out = args.out or user_catalog_path()
    if not sources.is_dir():
        return fail(f"--sources {sources}: not a folder")
    try:
        document = catalog_document(read_sources(sources), args.as_of)
        write_atomically(out, render(document).encode("utf-8"))
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


class _Display:
    """Per-source progress on stderr: a live line on a terminal, one line per finished source otherwise.
    Connection failures are held back: when every source failed that way, one line says "offline"."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.held: list[tuple[str, object]] = []
        self._last = 0.0

    def progress(self, name: str, received: int, total: int | None) -> None:
        now = time.monotonic()
        if not self.tty or now - self._last < 0.1:
            return
        self._last = now
        of = f" of {total / 1024:,.0f}" if total else ""
        self.stream.write(f"\r  {name:<15} {received / 1024:,.0f}{of} KB\x1b[K")
        self.stream.flush()

    def done(self, name: str, outcome) -> None:
        if outcome.offline:
            self.held.append((name, outcome))
            if self.tty:
                self.stream.write("\r\x1b[K")
            return
        self._line(name, outcome)

    def _line(self, name: str, outcome) -> None:
        prefix = "\r" if self.tty else ""
        clear = "\x1b[K" if self.tty else ""
        self.stream.write(f"{prefix}  {name:<15} {outcome.status:<9} {outcome.detail}{clear}\n")
        self.stream.flush()

    def finish(self, total_sources: int) -> str | None:
        """The one offline line when every source failed to connect (else prints the held lines)."""
        if self.held and len(self.held) == total_sources:
            return self.held[0][1].detail.removesuffix(" (offline?)")
        for name, outcome in self.held:
            self._line(name, outcome)
        return None


def run_update(args: argparse.Namespace) -> int:
    from codefloor.catalog.load import load_catalog
    from codefloor.catalog.update import SOURCES, update_catalog
    from codefloor.config import data_dir, load_user_config

    config = load_user_config()
    display = _Display()
    try:
        result = update_catalog(config, progress=display.progress, on_done=display.done)
    except OSError as exc:  # the data dir itself: read-only, full disk
        return fail(f"catalog update: cannot write in {data_dir()}: {exc.strerror or exc}; the catalog in use stays")
    offline = display.finish(len(SOURCES))
    in_use = load_catalog()
    if args.json:
        print(json.dumps(result.as_json(), indent=2))
    if offline:
        fail(f"offline? {offline}; nothing was downloaded and the {in_use.describe()} stays in use")
        return 1
    if not result.ok:
        failed = ", ".join(f"{n} ({o.detail})" for n, o in result.sources.items() if o.status == "failed")
        fail(f"catalog update failed for {failed}; the {in_use.describe()} stays in use")
        return 1
    if not args.json:
        verb = "wrote" if result.wrote else "unchanged:"
        print(f"{verb} {result.catalog}: {result.cards} models ({result.scored} scored), as of {in_use.as_of}")
    return 0
