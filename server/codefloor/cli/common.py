"""Helpers shared by subcommands: argument types with actionable errors, user-facing failure."""

from __future__ import annotations

import argparse
import dataclasses
import math
import re
import sys
from typing import Any, Callable


def number_arg(kind: Callable[[str], Any], in_range: Callable[[Any], bool], not_a_number: str,
               out_of_range: str) -> Callable[[str], Any]:
    """An argparse type: the argument as `kind` (int or float) that `in_range` accepts (NaN never
    does). The two messages are str.format templates of {text} (the argument as typed) that say what
    to give instead."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(not_a_number.format(text=text)) from None
        if not in_range(value):
            raise argparse.ArgumentTypeError(out_of_range.format(text=text))
        return value

    return parse


score_arg = number_arg(float, lambda v: 0 <= v <= 100, "{text!r} is not a number; give a coding score from 0 to 100",
                       "{text} is out of range; give a coding score from 0 to 100")
seconds_arg = number_arg(float, lambda v: v > 0, "{text!r} is not a number of seconds", "{text}: give a number of seconds above 0")
token_count_arg = number_arg(int, lambda v: v >= 0, "{text!r} is not a whole number of tokens", "{text} tokens: give 0 or more")
positive_int_arg = number_arg(int, lambda v: v >= 1, "{text!r} is not a whole number", "{text}: give 1 or more")
usd_arg = number_arg(float, lambda v: 0 <= v < math.inf, "{text!r} is not an amount in USD", "{text}: give an amount of 0 or more")


def prompt_arg(text: str) -> str:
    """A prompt with something in it: an empty one would be sent (and paid for) for nothing."""
    if not text.strip():
        raise argparse.ArgumentTypeError('the prompt is empty; say what you want, e.g. codefloor ask "Explain this" --file F')
    return text


def card_score(card) -> dict:
    """A model card's coding score as the --json outputs give it: the score, its interval, and its
    source, date and setting (every number a user sees names where it comes from)."""
    return {
        "coding_score": card.coding_score,
        "coding_score_low": card.coding_score_low,
        "coding_score_high": card.coding_score_high,
        "score_interval": card.score_interval,
        "score_extrapolated": card.score_extrapolated,
        "score_summary": card.score_summary(),
        "score_source": card.score_source,
        "score_date": card.score_date,
        "score_setting": card.score_setting,
    }


def folder_preferences(config, args: argparse.Namespace, *, for_completion: bool = False):
    """The user config's [defaults] (bad keys reported on stderr, schema defaults kept), with
    --min-coding-score and --policy on top: what a folder without settings would get."""
    from codefloor.selection import Policy, ScoreConfidence
    from codefloor.settings import parse_folder_settings

    settings, problems = parse_folder_settings(config.defaults or None)
    for problem in problems:
        print(f"{problem} (user config [defaults])", file=sys.stderr)
    prefs = settings.preferences(for_completion=for_completion)
    updates = {}
    if args.min_coding_score is not None:
        updates["min_coding_score"] = args.min_coding_score
    if args.policy is not None:
        updates["policy"] = Policy(args.policy)
    if getattr(args, "score_confidence", None) is not None:
        updates["score_confidence"] = ScoreConfidence(args.score_confidence)
    return dataclasses.replace(prefs, **updates)


# Routing advice names the settings an editor sets (selection's and the router's words); on the
# command line the floor is a flag and the rest come from the user config's [defaults].
_CLI_NAMES = {
    "minCodingScore": "--min-coding-score",
    "maxCostPerRequestUsd": "[defaults] maxCostPerRequestUsd in the user config",
    "allowedProviders": "[defaults] allowedProviders in the user config",
    "localOnly": "[defaults] localOnly in the user config",
}
_SETTING_NAME = re.compile(r"(?<!\] )(?<![\w.])(" + "|".join(_CLI_NAMES) + r")\b")  # not "[defaults] x", "completion.x"


def for_cli(message: str) -> str:
    """A routing message with each setting named the way the command line sets it."""
    return _SETTING_NAME.sub(lambda m: _CLI_NAMES[m.group(1)], message)


def add_score_confidence(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--score-confidence", choices=("estimate", "conservative"), default=None,
                        help="estimate: the score must meet the floor; conservative: the lower bound of its interval "
                        "must (default: the user config's [defaults] scoreConfidence, else estimate)")


def fail(message: str, code: int = 1) -> int:
    """Print a one-line, actionable error to stderr and return the exit code."""
    print(f"codefloor: {message}", file=sys.stderr)
    return code


def one_line_errors(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Report bad arguments as ONE line on stderr (exit 2) instead of argparse's usage block."""

    def error(message: str):
        print(f"{parser.prog}: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)

    parser.error = error  # type: ignore[method-assign]
    return parser
