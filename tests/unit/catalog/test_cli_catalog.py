"""`codefloor catalog build` from the command line."""

from __future__ import annotations

import json

from codefloor.catalog.build import BUNDLED_CATALOG
from codefloor.cli import main


def test_build_writes_the_snapshot_and_reports_the_fits(tmp_path, capsys):
    out = tmp_path / "catalog.json"
    assert main(["catalog", "build", "--out", str(out)]) == 0
    assert out.read_bytes() == BUNDLED_CATALOG.read_bytes()
    printed = capsys.readouterr().out
    assert f"wrote {out}" in printed and "fit swe-bench-bash-only" in printed


def test_as_of_moves_the_deprecation_cut(tmp_path):
    early, late = tmp_path / "early.json", tmp_path / "late.json"
    assert main(["catalog", "build", "--out", str(early), "--as-of", "2025-12-01"]) == 0
    assert main(["catalog", "build", "--out", str(late), "--as-of", "2027-06-01"]) == 0
    early_ids = {m["id"] for m in json.loads(early.read_text())["models"]}
    late_ids = {m["id"] for m in json.loads(late.read_text())["models"]}
    assert late_ids < early_ids  # more models have passed their deprecation date


def test_bad_arguments_fail_with_a_clear_message(tmp_path, capsys):
    try:
        main(["catalog", "build", "--as-of", "yesterday"])
    except SystemExit as exit:
        assert exit.code == 2
    assert "'yesterday' is not a date; use YYYY-MM-DD" in capsys.readouterr().err
    assert main(["catalog", "build", "--sources", str(tmp_path / "nope")]) == 1
    assert "not a folder" in capsys.readouterr().err
    assert main(["catalog", "build", "--sources", str(tmp_path)]) == 1
    assert "no openrouter_models_YYYY-MM-DD.json" in capsys.readouterr().err
