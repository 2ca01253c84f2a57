"""The shared result row of every reliability scenario and the table that shows them.

Every ``scenarios_*.py`` module under tests/reliability exposes
``async def scenarios(scale: float) -> list[Row]``; the runner
(benchmarks/reliability/run.py) and the bounded tests both consume these rows.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass


@dataclass
class Row:
    area: str  # e.g. "faults", "load", "durability", "bad input", "secrets", "stale edits"
    case: str  # what was tried, in a few words
    tried: int  # how many requests/attempts the case made
    outcome: str  # what was observed, in a few words (figures included)
    lost: int  # crashes + partial/stale edits applied + keys leaked + wrong-floor results


HEADERS = ("area", "case", "tried", "outcome", "lost")


def _cells(row: Row) -> tuple[str, ...]:
    return (row.area, row.case, str(row.tried), row.outcome, str(row.lost))


TEXT_WIDTH = 120  # a CI log or a terminal: the counts first, the case and outcome wrapped to fit
CASE_WIDTH = 36


def render_text(rows: list[Row], width: int = TEXT_WIDTH) -> str:
    """A fixed-width table for terminals, at most `width` columns: area, tried, lost, then the
    case and the outcome wrapped in their own columns."""
    headers = ("area", "tried", "lost", "case", "outcome")
    cells = [(r.area, str(r.tried), str(r.lost), r.case, r.outcome) for r in rows]
    fixed = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers[:3])]
    case_width = min(CASE_WIDTH, max(len(headers[3]), *(len(c[3]) for c in cells)))
    outcome_width = max(20, width - sum(fixed) - case_width - 2 * 4)
    widths = [*fixed, case_width, outcome_width]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    for area, tried, lost, case, outcome in cells:
        case_lines = textwrap.wrap(case, case_width) or [""]
        outcome_lines = textwrap.wrap(outcome, outcome_width) or [""]
        for i in range(max(len(case_lines), len(outcome_lines))):
            first = i == 0
            parts = (area if first else "", tried if first else "", lost if first else "",
                     case_lines[i] if i < len(case_lines) else "", outcome_lines[i] if i < len(outcome_lines) else "")
            lines.append("  ".join((part.rjust(w) if j in (1, 2) else part.ljust(w))
                                   for j, (part, w) in enumerate(zip(parts, widths))).rstrip())
    return "\n".join(lines)


def render_markdown(rows: list[Row]) -> str:
    """A GitHub-flavoured Markdown table for docs/reliability.md."""

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    body = [line(HEADERS), "|" + "|".join(["---"] * 2 + ["---:"] + ["---"] + ["---:"]) + "|"]
    body += [line(_cells(row)) for row in rows]
    return "\n".join(body)


def total_lost(rows: list[Row]) -> int:
    return sum(row.lost for row in rows)
