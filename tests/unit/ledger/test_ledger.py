"""The ledger: one committed row per attempt, daily spend, summaries, crash survival, no secrets."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap

from codefloor.ledger import FILE_NAME, Ledger
from codefloor.results import Attempt


def attempt(model="m1", cost=0.01, outcome="ok", provider="openai", error_kind=None) -> Attempt:
    return Attempt(
        model_id=model,
        route_key=f"{provider}:{model}",
        provider=provider,
        outcome=outcome,
        input_tokens=100,
        output_tokens=20,
        cost_usd=cost,
        latency_ms=12.5,
        error_kind=error_kind,
    )


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


def test_record_stores_one_row_per_attempt_with_every_field(tmp_path):
    ledger = Ledger(tmp_path / FILE_NAME)
    ledger.record(attempt(), folder="/w/a", task="action", cost_source="reported", at=at("2026-01-02"))
    ledger.record(attempt(outcome="error", cost=0.0, error_kind="RateLimited"), folder="/w/a", task="action")
    rows = ledger.rows()
    assert len(rows) == 2
    first = rows[0]
    assert first["at_utc"].startswith("2026-01-02T12:00:00")
    assert (first["folder"], first["task"], first["model"], first["route"], first["provider"]) == (
        "/w/a", "action", "m1", "openai:m1", "openai")
    assert (first["input_tokens"], first["output_tokens"], first["cost_usd"], first["cost_source"]) == (100, 20, 0.01, "reported")
    assert (first["latency_ms"], first["outcome"], first["error_kind"]) == (12.5, "ok", None)
    assert (rows[1]["outcome"], rows[1]["error_kind"]) == ("error", "RateLimited")


def test_local_times_are_stored_as_utc_days(tmp_path):
    ledger = Ledger(tmp_path / FILE_NAME)
    late_evening_west = dt.datetime(2026, 3, 1, 22, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    ledger.record(attempt(cost=1.0), at=late_evening_west)
    assert ledger.spend_today(dt.date(2026, 3, 2)) == 1.0
    assert ledger.spend_today(dt.date(2026, 3, 1)) == 0.0


def test_spend_today_sums_only_that_day(tmp_path):
    ledger = Ledger(tmp_path / FILE_NAME)
    ledger.record(attempt(cost=0.25), at=at("2026-01-01"))
    ledger.record(attempt(cost=0.5), at=at("2026-01-02", 1))
    ledger.record(attempt(cost=0.125), at=at("2026-01-02", 23))
    assert ledger.spend_today(dt.date(2026, 1, 2)) == 0.625
    ledger.record(attempt(cost=0.0625))  # now
    assert ledger.spend_today() == 0.0625


def test_summary_groups_by_day_folder_and_model_since_a_day(tmp_path):
    ledger = Ledger(tmp_path / FILE_NAME)
    ledger.record(attempt("a", 1.0), folder="/x", at=at("2026-01-01"))
    ledger.record(attempt("a", 2.0), folder="/x", at=at("2026-01-02"))
    ledger.record(attempt("b", 4.0, outcome="error"), folder="/y", at=at("2026-01-02"))
    everything = ledger.summary()
    assert everything["total_usd"] == 7.0 and everything["attempts"] == 3
    assert [(d["day"], d["cost_usd"]) for d in everything["by_day"]] == [("2026-01-01", 1.0), ("2026-01-02", 6.0)]
    recent = ledger.summary(dt.date(2026, 1, 2))
    assert recent["total_usd"] == 6.0
    assert [(f["folder"], f["cost_usd"], f["ok"]) for f in recent["by_folder"]] == [("/x", 2.0, 1), ("/y", 4.0, 0)]
    assert [(m["model"], m["attempts"], m["input_tokens"]) for m in recent["by_model"]] == [("a", 1, 100), ("b", 1, 100)]


def test_reopening_sees_earlier_rows_and_default_path_follows_env(tmp_path):
    env = {"CODEFLOOR_DATA_DIR": str(tmp_path / "data")}
    ledger = Ledger.open_default(env)
    assert ledger.path == tmp_path / "data" / FILE_NAME
    ledger.record(attempt(cost=0.5))
    ledger.close()
    assert Ledger.open_default(env).spend_today() == 0.5


def test_rows_committed_before_sigkill_are_readable(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, signal
        from codefloor.ledger import Ledger
        from codefloor.results import Attempt
        ledger = Ledger({str(tmp_path / FILE_NAME)!r})
        for i in range(5):
            ledger.record(Attempt("m", "p:m", "p", "ok", 1, 1, 0.5, 1.0), folder=f"f{{i}}")
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    rows = Ledger(tmp_path / FILE_NAME).rows()
    assert [r["folder"] for r in rows] == [f"f{i}" for i in range(5)]


def test_two_processes_write_the_same_ledger(tmp_path):
    path = tmp_path / FILE_NAME
    Ledger(path).close()
    script = (
        "import sys; from codefloor.ledger import Ledger; from codefloor.results import Attempt\n"
        "l = Ledger(sys.argv[1])\n"
        "for _ in range(50): l.record(Attempt('m', 'p:m', 'p', 'ok', 1, 1, 0.01, 1.0), folder=sys.argv[2])\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path), name]) for name in ("one", "two")]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    folders = [r["folder"] for r in Ledger(path).rows()]
    assert folders.count("one") == 50 and folders.count("two") == 50


def test_the_schema_has_no_place_for_text_or_keys(tmp_path):
    ledger = Ledger(tmp_path / FILE_NAME)
    ledger.record(attempt())
    columns = set(ledger.rows()[0])
    assert columns == {
        "id", "at_utc", "day_utc", "folder", "task", "model", "route", "provider", "input_tokens",
        "output_tokens", "cost_usd", "cost_source", "latency_ms", "outcome", "error_kind", "first_token_ms",
    }
    assert os.path.exists(tmp_path / (FILE_NAME + "-wal"))  # WAL mode is on


def test_a_new_ledger_is_readable_by_its_owner_only(tmp_path):
    import stat

    from codefloor.ledger import Ledger

    ledger = Ledger(tmp_path / "data" / "usage.sqlite3")
    try:
        ledger.spend_today()
        for path in (tmp_path / "data").iterdir():  # the database and its WAL files
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    finally:
        ledger.close()


def test_observed_output_factors_need_enough_successful_requests(tmp_path):
    ledger = Ledger(tmp_path / FILE_NAME)
    for i in range(20):
        ledger.record(attempt("often"), folder="f", task="action")  # 20 output tokens each
    for i in range(5):
        ledger.record(attempt("rare"), folder="f", task="action")
    ledger.record(attempt("often", outcome="error"), folder="f", task="action")
    factors = ledger.observed_output_factors({"action": 10, "completion": 5}, min_requests=20)
    assert factors == {"often": 2.0}  # 400 tokens returned / 20 requests x 10 asked
    ledger.close()


def test_a_ledger_from_before_first_token_ms_keeps_working_and_gains_the_column(tmp_path):
    import sqlite3

    path = tmp_path / FILE_NAME
    old = sqlite3.connect(path)
    old.executescript("""
        CREATE TABLE attempts (id INTEGER PRIMARY KEY, at_utc TEXT NOT NULL, day_utc TEXT NOT NULL, folder TEXT NOT NULL,
            task TEXT NOT NULL, model TEXT NOT NULL, route TEXT NOT NULL, provider TEXT NOT NULL,
            input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL,
            cost_source TEXT NOT NULL, latency_ms REAL NOT NULL, outcome TEXT NOT NULL, error_kind TEXT);
        INSERT INTO attempts VALUES (1, '2026-11-30T10:00:00.000+00:00', '2026-11-30', '/w', 'completion', 'm1',
            'openai:m1', 'openai', 10, 2, 0.5, 'catalog', 3100.0, 'error', 'ProviderTimeout');
    """)
    old.commit()
    old.close()
    ledger = Ledger(path)
    ledger.record(Attempt("m1", "openai:m1", "openai", "ok", 10, 2, 0.25, 140.0, first_token_ms=90.0), task="completion")
    rows = ledger.rows()
    assert [(r["latency_ms"], r["first_token_ms"]) for r in rows] == [(3100.0, None), (140.0, 90.0)]
    assert ledger.spend_today(dt.date(2026, 11, 30)) == 0.5  # the old row still counts
    found = ledger.latencies("completion", 10)
    assert [(route, first, total, outcome) for _, route, first, total, outcome, _ in found] == [
        ("openai:m1", None, 3100.0, "error"), ("openai:m1", 90.0, 140.0, "ok")]
    ledger.close()
    Ledger(path).close()  # opening again adds nothing twice
