"""`models` and `route` name the catalog's date and origin, and warn on stderr when it is old."""

from __future__ import annotations

import datetime as dt
import json

from codefloor.catalog.build import BUNDLED_CATALOG

from .helpers import run_cli


def fresh_user_catalog(tmp_path) -> str:
    document = json.loads(BUNDLED_CATALOG.read_text(encoding="utf-8"))
    document["as_of"] = dt.date.today().isoformat()
    document["downloads"] = {"openrouter": {"url": "https://openrouter.ai/api/v1/models", "fetched": document["as_of"]}}
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "catalog.json").write_text(json.dumps(document), encoding="utf-8")
    return document["as_of"]


def test_the_bundled_catalog_is_named_and_warned_about_on_stderr_only(tmp_path):
    bundled_as_of = json.loads(BUNDLED_CATALOG.read_text())["as_of"]
    table = run_cli(["models", "--all-providers"], tmp_path)
    assert table.returncode == 0, table.stderr
    assert f"catalog as of {bundled_as_of} (bundled snapshot, {BUNDLED_CATALOG})" in table.stdout
    (warning,) = table.stderr.strip().splitlines()  # bundled as_of 2026-08-01: older than 30 days in these tests' time
    assert warning.startswith("codefloor: warning: the catalog as of") and "days old" in warning and "catalog update" in warning
    routed = run_cli(["route", "--all-providers", "--json"], tmp_path)
    decision = json.loads(routed.stdout)  # the warning never reaches stdout
    assert decision["catalog"] == {"as_of": bundled_as_of, "origin": "bundled snapshot", "path": str(BUNDLED_CATALOG)}
    assert "days old" in routed.stderr


def test_a_fresh_updated_catalog_is_used_and_not_warned_about(tmp_path):
    as_of = fresh_user_catalog(tmp_path)
    routed = run_cli(["route", "--all-providers"], tmp_path)
    assert routed.returncode == 0 and routed.stderr == ""
    assert f"catalog as of {as_of} (catalog update, {tmp_path / 'data' / 'catalog.json'})" in routed.stdout
    listed = json.loads(run_cli(["route", "--all-providers", "--json"], tmp_path).stdout)
    assert listed["catalog"]["origin"] == "catalog update" and listed["catalog"]["as_of"] == as_of
