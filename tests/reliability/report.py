"""The shared result row of every reliability scenario and the table that shows them.

Every ``scenarios_*.py`` module under tests/reliability exposes
``async def scenarios(scale: float) -> list[Row]``; the runner
(benchmarks/reliability/run.py) and the bounded tests both consume these rows.
"""

from __future__ import annotations

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


def render_text(rows: list[Row]) -> str:
    """A fixed-width table for terminals."""
    table = [HEADERS, *(_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in table]
    lines.insert(1, "  ".join("-" * width for width in widths))
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
