"""`codefloor` command line: one module per subcommand, each with register(subparsers).

Subcommand modules keep heavy imports inside their run functions so `codefloor --help` and
`codefloor serve` start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from codefloor import __version__
from codefloor.cli.common import fail, one_line_errors
from codefloor.errors import SetupError

# name -> module under codefloor.cli. Add a subcommand by adding its module here.
SUBCOMMANDS: tuple[str, ...] = ("catalog", "models", "route", "ask", "usage", "calibrate", "serve", "doctor")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="codefloor",
        description="AI coding backend that routes each request to the cheapest model meeting your coding-score floor.",
    )
    parser.add_argument("--version", action="version", version=f"codefloor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        importlib.import_module(f"codefloor.cli.{name}").register(sub)
    for command_parser in (parser, *sub.choices.values()):
        one_line_errors(command_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except SetupError as exc:  # the user config or catalog: the message names file and field
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
