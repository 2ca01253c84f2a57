"""Which catalog is in use (the user data dir's or the bundled one) and how a running router follows it."""

from __future__ import annotations

import datetime as dt
import json
import os

from codefloor.catalog import load as catalog_load
from codefloor.catalog.build import BUNDLED_CATALOG
from codefloor.catalog.load import STALE_AFTER_DAYS, CatalogFollower, load_catalog, user_catalog_path
from codefloor.config import UserConfig
from codefloor.router import Router
from codefloor.selection import Preferences, Request


def write_catalog(env, as_of: str, *extra: dict, drop: set[str] = frozenset()) -> None:
    document = json.loads(BUNDLED_CATALOG.read_text(encoding="utf-8"))
    document["as_of"] = as_of
    document["models"] = [m for m in document["models"] if m["id"] not in drop] + list(extra)
    path = user_catalog_path(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(document), encoding="utf-8")
    os.replace(tmp, path)


def card(model_id: str, score: float, price: float) -> dict:
    return {"id": model_id, "display_name": model_id, "coding_score": score, "score_source": "aider-polyglot",
            "score_date": "2026-11-01", "context_window": 100000, "max_output_tokens": 8000,
            "routes": [{"provider": "openai", "model_name": f"{model_id}-wire", "input_price_per_mtok": price,
                        "output_price_per_mtok": price}]}


def test_the_user_catalog_is_used_when_valid_and_not_older(tmp_path):
    env = {"CODEFLOOR_DATA_DIR": str(tmp_path)}
    bundled = load_catalog(env=env)
    assert bundled.origin == "bundled snapshot" and bundled.path == str(BUNDLED_CATALOG) and bundled.warning is None
    write_catalog(env, "2099-01-01", card("fresh", 80, 0.1))
    fresh = load_catalog(env=env)
    assert fresh.get("fresh") is not None and fresh.path == str(user_catalog_path(env)) and fresh.as_of == "2099-01-01"
    write_catalog(env, "2000-01-01", card("stale", 80, 0.1))  # older than the bundled one (e.g. after an upgrade)
    assert load_catalog(env=env).get("stale") is None and load_catalog(env=env).origin == "bundled snapshot"


def test_an_unreadable_user_catalog_falls_back_to_the_bundled_one_with_a_warning_naming_it(tmp_path):
    env = {"CODEFLOOR_DATA_DIR": str(tmp_path)}
    user_catalog_path(env).write_text("{not json", encoding="utf-8")
    catalog = load_catalog(env=env)
    assert catalog.origin == "bundled snapshot" and str(user_catalog_path(env)) in catalog.warning
    assert str(user_catalog_path(env)) in catalog.staleness()


def test_staleness_counts_days_from_as_of():
    catalog = load_catalog(path=BUNDLED_CATALOG)
    as_of = dt.date.fromisoformat(catalog.as_of)
    assert catalog.staleness(as_of + dt.timedelta(days=STALE_AFTER_DAYS)) is None
    warning = catalog.staleness(as_of + dt.timedelta(days=STALE_AFTER_DAYS + 1))
    assert f"{STALE_AFTER_DAYS + 1} days old" in warning and "codefloor catalog update" in warning
    assert catalog.as_of in warning and "bundled snapshot" in warning


def test_the_follower_looks_at_most_every_interval_and_reloads_only_when_the_file_changes(tmp_path):
    env = {"CODEFLOOR_DATA_DIR": str(tmp_path)}
    prepared, now = [], [100.0]
    follower = CatalogFollower(UserConfig(), env, lambda c: prepared.append(c) or c, every_s=0.25, clock=lambda: now[0])
    first = follower.current()
    assert follower.current() is first and len(prepared) == 1
    write_catalog(env, "2099-01-01", card("fresh", 80, 0.1))
    now[0] += 0.2
    assert follower.current() is first  # within the interval: no look at the file
    now[0] += 0.1
    second = follower.current()
    assert second is not first and second.get("fresh") is not None and len(prepared) == 2
    now[0] += 1
    assert follower.current() is second and len(prepared) == 2  # looked, unchanged: no reload
    user_catalog_path(env).unlink()  # removed: back to the bundled snapshot
    now[0] += 1
    assert follower.current().origin == "bundled snapshot"


async def test_the_router_swaps_its_pool_between_requests_and_a_decision_keeps_its_catalog(tmp_path, monkeypatch):
    monkeypatch.setattr(catalog_load, "CHECK_EVERY_S", 0.0)  # look at the file on every request
    env = {"CODEFLOOR_DATA_DIR": str(tmp_path), "OPENAI_API_KEY": "sk-test", "OLLAMA_HOST": "127.0.0.1:9"}
    write_catalog(env, "2099-01-01", card("old-pick", 85, 0.5))
    router = Router.from_environment(env=env, probe_ollama=False)
    request, prefs = Request(), Preferences(min_coding_score=84)
    started = router.decide(request, prefs)  # a request in flight: its decision is taken
    assert started.chosen.card.id == "old-pick"
    write_catalog(env, "2099-01-02", card("new-pick", 85, 0.01), drop={"old-pick"})
    assert started.chosen.card.id == "old-pick"  # the running request keeps the catalog it started with
    assert router.decide(request, prefs).chosen.card.id == "new-pick"  # the next one takes up the new catalog
    assert router.catalog.as_of == "2099-01-02" and router.catalog.get("old-pick") is None
    pool = router.pool
    assert router.pool is pool  # no rebuild while the file is unchanged
    await router.aclose()
