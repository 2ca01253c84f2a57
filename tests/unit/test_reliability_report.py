"""The reliability table fits a CI log: at most 120 columns, every word kept, counts up front."""

from __future__ import annotations

from tests.reliability.report import Row, render_text


def test_long_cases_and_outcomes_wrap_within_the_width_and_lose_no_word():
    rows = [
        Row("faults", "code action (resolve) under seeded random faults of every kind the fakes support", 1033,
            "served first try 700, served after fallback 300, clear error 33; " + "recovery ok " * 30, 0),
        Row("secrets", "key in a 401 body", 16, "never shown", 2),
    ]
    text = render_text(rows)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 120
    assert lines[0].split() == ["area", "tried", "lost", "case", "outcome"]
    for row in rows:
        for word in (row.case + " " + row.outcome).split():
            assert word in text
    first = next(line for line in lines if line.startswith("secrets"))
    assert first.split()[:3] == ["secrets", "16", "2"]  # the counts are where a reader looks first
