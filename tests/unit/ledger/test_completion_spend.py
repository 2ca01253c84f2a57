"""What completions cost per hour of use, and the rolling hour against completion.maxCostPerHourUsd,
computed from known ledger rows (time is injected through the rows' timestamps and `now`)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from codefloor.completion_spend import (
    MIN_EXPECTED_PER_HOUR,
    USE_GAP_CAP_S,
    hour_of_use,
    hour_of_use_in,
    hours_of_use,
    rolling_hour,
)
from codefloor.ledger import FILE_NAME, Ledger
from codefloor.settings import FolderSettings, parse_folder_settings
from tests.unit.cli.helpers import run_cli
from tests.unit.ledger.test_ledger import attempt

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
FOLDER = "file:///w/app"


def ago(seconds: float) -> dt.datetime:
    return NOW - dt.timedelta(seconds=seconds)


def completions(ledger: Ledger, *rows: tuple[float, float], folder: str = FOLDER) -> None:
    """(seconds before NOW, cost USD) per completion attempt."""
    for seconds, cost in rows:
        ledger.record(attempt(cost=cost), folder=folder, task="completion", at=ago(seconds))


@pytest.fixture
def ledger(tmp_path) -> Ledger:
    opened = Ledger(tmp_path / FILE_NAME)
    yield opened
    opened.close()


def test_an_hour_of_use_counts_the_gaps_between_completions_each_up_to_the_cap(ledger):
    # Two bursts of typing a day apart: 3 completions 10 s apart, then 2 completions 20 s apart.
    completions(ledger, (86_400 + 20, 0.01), (86_400 + 10, 0.01), (86_400, 0.01), (40, 0.02), (20, 0.02))
    use = hour_of_use(ledger, FOLDER, NOW)
    assert use.attempts == 5 and use.cost_usd == pytest.approx(0.07)
    # 10 + 10 (first burst) + the day's gap counted as USE_GAP_CAP_S + 20 (second burst)
    assert use.use_s == pytest.approx(10 + 10 + USE_GAP_CAP_S + 20, abs=0.01)
    assert use.usd_per_hour == pytest.approx(0.07 / ((40 + USE_GAP_CAP_S) / 3600), rel=1e-4)
    assert use.describe() == ("$0.741/h of use over the last 7 days ($0.07 for 0.09 h of use, "
                              "from 5 completion attempts in the ledger)")


def test_only_this_folders_settled_completions_of_the_last_week_count(ledger):
    completions(ledger, (100, 0.01), (50, 0.01))
    completions(ledger, (8 * 86_400, 5.0), (8 * 86_400 - 10, 5.0))  # older than the window
    completions(ledger, (60, 1.0), (30, 1.0), folder="file:///w/other")
    ledger.record(attempt(cost=3.0), folder=FOLDER, task="action", at=ago(70))
    ledger.reserve(cost_usd=9.0, limit_usd=None, model="m1", route="openai:m1", provider="openai", folder=FOLDER,
                   task="completion", at=ago(10))  # in flight: not spend yet
    use = hour_of_use(ledger, FOLDER, NOW)
    assert (use.attempts, use.cost_usd, round(use.use_s, 3)) == (2, 0.02, 50.0)
    every = {u.folder: u for u in hours_of_use(ledger, now=NOW)}
    assert set(every) == {FOLDER, "file:///w/other"} and every["file:///w/other"].cost_usd == 2.0


def test_a_single_completion_gives_no_figure_and_says_why(ledger):
    completions(ledger, (10, 0.01))
    use = hour_of_use(ledger, FOLDER, NOW)
    assert use.usd_per_hour is None
    assert use.describe() == "no cost per hour of use yet: 1 completion attempt in the ledger over the last 7 days (it takes two)"
    assert hour_of_use(ledger, "file:///w/none", NOW).attempts == 0


def test_the_figure_brought_up_to_date_with_newer_rows_matches_a_full_read(ledger):
    completions(ledger, (4_000, 0.01), (3_990, 0.01))
    before = hour_of_use(ledger, FOLDER, NOW)
    assert before.newest == ago(3_990)
    completions(ledger, (3_000, 0.02), (2_980, 0.03))  # an idle 990 s (counted as 300), then 20 s
    newer = ledger.task_rows("completion", FOLDER, before.newest)
    brought, full = before.extended(newer), hour_of_use(ledger, FOLDER, NOW)
    assert (brought.attempts, brought.newest) == (full.attempts, full.newest) == (4, ago(2_980))
    assert brought.cost_usd == pytest.approx(full.cost_usd) and brought.use_s == pytest.approx(full.use_s, abs=0.01)
    assert brought.use_s == pytest.approx(10 + USE_GAP_CAP_S + 20, abs=0.01)
    empty = hour_of_use(ledger, "file:///w/new", NOW)  # nothing yet: the first rows bring no gap before them
    completions(ledger, (100, 0.01), (40, 0.01), folder="file:///w/new")
    first = empty.extended(ledger.task_rows("completion", "file:///w/new", empty.since))
    assert (first.attempts, round(first.use_s, 3)) == (2, 60.0)


def test_the_threaded_reader_opens_its_own_connection_and_agrees(ledger):
    completions(ledger, (100, 0.01), (50, 0.03))
    assert hour_of_use_in(ledger.path, FOLDER, NOW) == hour_of_use(ledger, FOLDER, NOW)


def test_the_rolling_hour_pauses_at_the_limit_and_says_when_it_resumes(ledger):
    completions(ledger, (3_700, 9.0), (2_400, 0.30), (1_200, 0.25), (600, 0.05))  # the first is outside the hour
    hour = rolling_hour(ledger, FOLDER, 0.50, NOW)
    assert (hour.attempts, hour.spent_usd, hour.paused) == (3, pytest.approx(0.60), True)
    # 0.60 - 0.30 (leaves at 2400 s ago + 1 h) = 0.30 < 0.50: resumes then.
    assert hour.resumes_at == ago(2_400) + dt.timedelta(hours=1)
    assert hour.describe() == (
        "automatic completions paused: $0.6 spent on completions in this folder in the last hour (3 attempts in the "
        "ledger, every codefloor process) reached completion.maxCostPerHourUsd $0.5; they resume by themselves at "
        "12:20:00 UTC; invoked completions still run")
    # When that moment comes (time injected through `now`), the hour is below the limit again.
    later = rolling_hour(ledger, FOLDER, 0.50, NOW + dt.timedelta(minutes=20, seconds=1))
    assert not later.paused and later.resumes_at is None and later.spent_usd == pytest.approx(0.30)
    assert rolling_hour(ledger, FOLDER, 0.61, NOW).paused is False


def test_the_resume_time_waits_for_enough_spend_to_leave(ledger):
    completions(ledger, (3_000, 0.10), (2_000, 0.10), (1_000, 0.50))
    hour = rolling_hour(ledger, FOLDER, 0.40, NOW)
    assert hour.paused and hour.resumes_at == ago(1_000) + dt.timedelta(hours=1)  # the 0.50 alone is over


def test_a_limit_of_zero_leaves_free_completions_alone(ledger):
    completions(ledger, (100, 0.0), (50, 0.0))
    assert not rolling_hour(ledger, FOLDER, 0.0, NOW).paused
    completions(ledger, (40, 0.001))
    paused = rolling_hour(ledger, FOLDER, 0.0, NOW)
    assert paused.paused and paused.resumes_at == ago(40) + dt.timedelta(hours=1)
    assert paused.per_completion_cap_usd == 0.0


def test_the_per_completion_cap_is_the_limit_over_the_completions_expected_in_an_hour(ledger):
    completions(ledger, (100, 0.001), (50, 0.001))
    quiet = rolling_hour(ledger, FOLDER, 0.36, NOW)
    assert quiet.expected_per_hour == MIN_EXPECTED_PER_HOUR and quiet.per_completion_cap_usd == pytest.approx(0.001)
    completions(ledger, *[(3_000 - i * 4, 0.0) for i in range(720)])  # a busy hour: 722 attempts
    busy = rolling_hour(ledger, FOLDER, 0.36, NOW)
    assert busy.expected_per_hour == 722 and busy.per_completion_cap_usd == pytest.approx(0.36 / 722)
    assert busy.cap_text() == "the per-completion cap $0.0005 (completion.maxCostPerHourUsd $0.36 / 722 completions an hour expected)"


def test_usage_cli_prints_each_folders_cost_per_hour_of_use(tmp_path):
    ledger = Ledger(tmp_path / "data" / FILE_NAME)
    now = dt.datetime.now(dt.UTC)
    for seconds, cost in ((600, 0.01), (540, 0.01), (480, 0.01)):
        ledger.record(attempt(cost=cost), folder=FOLDER, task="completion", at=now - dt.timedelta(seconds=seconds))
    ledger.close()
    text = run_cli(["usage"], tmp_path)
    assert text.returncode == 0, text.stderr
    assert "Completions per hour of use, last 7 days (use: the time between a folder's completion requests, each gap counted up to 5 min)" in text.stdout
    # $0.03 over 120 s of use = $0.90 an hour
    assert f"  {FOLDER}  $0.9/h of use over the last 7 days ($0.03 for 0.03 h of use, from 3 completion attempts in the ledger)" in text.stdout
    out = run_cli(["usage", "--json"], tmp_path)
    [use] = json.loads(out.stdout)["completion_per_hour_of_use"]
    assert (use["folder"], use["attempts"], use["windowDays"]) == (FOLDER, 3, 7)
    assert use["usdPerHour"] == pytest.approx(0.9, rel=1e-3)


def test_usage_cli_without_a_ledger_has_no_figures(tmp_path):
    out = run_cli(["usage", "--json"], tmp_path)
    assert out.returncode == 0 and json.loads(out.stdout)["completion_per_hour_of_use"] == []


@pytest.mark.parametrize("bad", [-1, "0.5", True, float("inf"), {"usd": 1}])
def test_a_bad_hourly_limit_is_reported_and_the_previous_one_kept(bad):
    previous, problems = parse_folder_settings({"completion": {"maxCostPerHourUsd": 0.5}})
    assert problems == [] and previous.completion.max_cost_per_hour_usd == 0.5
    settings, problems = parse_folder_settings({"completion": {"maxCostPerHourUsd": bad, "debounceMs": 10}}, previous)
    [problem] = problems
    assert problem.key == "completion.maxCostPerHourUsd" and problem.message == "expected a number >= 0 or null"
    assert settings.completion.max_cost_per_hour_usd == 0.5 and settings.completion.debounce_ms == 10


def test_the_hourly_limit_is_off_by_default_and_null_turns_it_off():
    assert FolderSettings().completion.max_cost_per_hour_usd is None
    on, _ = parse_folder_settings({"completion": {"maxCostPerHourUsd": 2}})
    off, problems = parse_folder_settings({"completion": {"maxCostPerHourUsd": None}}, on)
    assert (on.completion.max_cost_per_hour_usd, off.completion.max_cost_per_hour_usd, problems) == (2, None, [])


def test_a_read_only_second_connection_keeps_the_first_ones_writes_visible_to_other_processes(tmp_path):
    """The server reads the week's figures in a thread on a second connection. Were it opened like
    the first (Ledger(), which opens and closes a descriptor of the file to set its mode), this
    process's SQLite locks would be gone; the next process to close its connection would think
    itself the last, checkpoint and delete the WAL, and the server's later rows would be lost
    (`disk I/O error` for the reader). Ledger.read_only leaves the file to SQLite."""
    import sqlite3
    import subprocess
    import sys

    path = tmp_path / FILE_NAME
    main = Ledger(path)
    main.record(attempt(), folder=FOLDER, task="completion")
    second = Ledger.read_only(path)
    assert len(second.task_rows("completion", FOLDER, NOW - dt.timedelta(days=3650))) == 1
    second.close()
    other_process = f"import sqlite3; db = sqlite3.connect({str(path)!r}); db.execute('SELECT COUNT(*) FROM attempts'); db.close()"
    subprocess.run([sys.executable, "-c", other_process], check=True, timeout=60)
    main.record(attempt(), folder=FOLDER, task="completion")
    with sqlite3.connect(path) as fresh:
        assert fresh.execute("SELECT COUNT(*) FROM attempts").fetchone() == (2,)
    fresh.close()
    main.close()
