"""Loading the bundled snapshot and merging the user's [[models]] tables."""

from __future__ import annotations

import json
import time

import pytest

from codefloor.catalog import CatalogError, load_catalog
from codefloor.config import UserConfig

CONFIG_FILE = "/home/me/.config/codefloor/config.toml"


def user(*models: dict) -> UserConfig:
    return UserConfig(models=list(models), source_path=CONFIG_FILE)


def test_bundled_catalog_loads_with_metadata():
    catalog = load_catalog()
    assert catalog.as_of and catalog.sources["openrouter"] and catalog.fits["swe-bench-bash-only"]["used"]
    gpt5 = catalog.get("gpt-5")
    assert gpt5 is not None and gpt5.coding_score is not None and gpt5.route_for("openai") is not None
    assert catalog.get("no-such-model") is None


def test_the_bundled_snapshot_is_parsed_once_per_process():
    assert load_catalog() is load_catalog()


def test_override_changes_only_the_given_route_price():
    base = load_catalog().get("gpt-5")
    merged = load_catalog(user({"id": "gpt-5", "routes": [{"provider": "openai", "input_price_per_mtok": 0.5}]}))
    card = merged.get("gpt-5")
    assert card.route_for("openai").input_price_per_mtok == 0.5
    assert card.route_for("openai").output_price_per_mtok == base.route_for("openai").output_price_per_mtok
    assert card.route_for("openai").model_name == base.route_for("openai").model_name
    assert card.route_for("openrouter") == base.route_for("openrouter")
    assert (card.coding_score, card.score_source) == (base.coding_score, base.score_source)
    assert load_catalog().get("gpt-5") == base  # the cached snapshot is not mutated


def test_user_score_is_labelled_user():
    card = load_catalog(user({"id": "qwen2.5-coder-7b", "coding_score": 30})).get("qwen2.5-coder-7b")
    assert (card.coding_score, card.score_source, card.score_date) == (30.0, "user", None)
    assert card.route_for("ollama").model_name == "qwen2.5-coder:7b"


def test_top_level_prices_apply_to_every_route():
    card = load_catalog(user({"id": "gpt-5", "input_price_per_mtok": 1.0, "output_price_per_mtok": 2.0})).get("gpt-5")
    assert {(r.input_price_per_mtok, r.output_price_per_mtok) for r in card.routes} == {(1.0, 2.0)}


def test_new_local_model_gets_sensible_defaults():
    card = load_catalog(user({"id": "my-coder", "coding_score": 35,
                              "routes": [{"provider": "ollama", "model_name": "my-coder:14b", "supports_fim": True}]})).get("my-coder")
    assert card.routes[0].input_price_per_mtok == 0 and card.routes[0].output_price_per_mtok == 0
    assert card.context_window == 8192 and card.max_output_tokens == 4096
    assert card.capabilities == frozenset({"streaming", "fim"}) and card.score_source == "user"


def test_new_remote_model_needs_prices():
    with pytest.raises(CatalogError) as err:
        load_catalog(user({"id": "new-remote", "coding_score": 50,
                           "routes": [{"provider": "openai", "model_name": "gpt-x"}]}))
    assert str(err.value) == (f"{CONFIG_FILE}: model 'new-remote': field 'routes[0].input_price_per_mtok' "
                              "is required for a new openai route")


@pytest.mark.parametrize(
    ("table", "field"),
    [
        ({"id": "gpt-5", "coding_score": 120}, "coding_score"),
        ({"id": "gpt-5", "coding_score": "high"}, "coding_score"),
        ({"id": "gpt-5", "context_window": 0}, "context_window"),
        ({"id": "gpt-5", "colour": "red"}, "colour"),
        ({"id": "gpt-5", "capabilities": ["telepathy"]}, "capabilities"),
        ({"id": "gpt-5", "routes": [{"provider": "acme", "model_name": "x"}]}, "routes[0].provider"),
        ({"id": "gpt-5", "routes": [{"provider": "openai", "input_price_per_mtok": -1}]}, "routes[0].input_price_per_mtok"),
        ({"id": "gpt-5", "routes": [{"provider": "openai", "price": 1}]}, "routes[0].price"),
        ({"id": "brand-new"}, "routes"),
    ],
)
def test_errors_name_the_file_the_model_and_the_field(table, field):
    with pytest.raises(CatalogError) as err:
        load_catalog(user(table))
    message = str(err.value)
    assert message.startswith(f"{CONFIG_FILE}: model '{table['id']}': field '{field}'"), message


def test_entry_without_id_is_named_by_position():
    with pytest.raises(CatalogError, match=r"config\.toml: \[\[models\]\] entry 2: field 'id'"):
        load_catalog(user({"id": "gpt-5", "coding_score": 80}, {"coding_score": 3}))


def test_broken_snapshot_names_file_model_and_field(tmp_path):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"schema": 1, "as_of": "2026-01-01", "models": [
        {"id": "ok-model", "display_name": "x", "context_window": 10, "max_output_tokens": 10},
        {"id": "bad-model", "display_name": "x", "context_window": -5, "max_output_tokens": 10},
    ]}))
    with pytest.raises(CatalogError, match=r"catalog\.json: model 'bad-model': field 'context_window'"):
        load_catalog(path=path)
    path.write_text("{not json")
    with pytest.raises(CatalogError, match=r"catalog\.json: not a readable catalog JSON"):
        load_catalog(path=path)
    with pytest.raises(CatalogError, match="cannot read the catalog"):
        load_catalog(path=tmp_path / "missing.json")


def test_explicit_path_is_reparsed_when_the_file_changes(tmp_path):
    path = tmp_path / "catalog.json"
    model = {"id": "m", "display_name": "m", "context_window": 10, "max_output_tokens": 10}
    path.write_text(json.dumps({"schema": 1, "as_of": "2026-01-01", "models": [model]}))
    assert load_catalog(path=path).get("m").context_window == 10
    time.sleep(0.01)
    path.write_text(json.dumps({"schema": 1, "as_of": "2026-01-02", "models": [model | {"context_window": 20}]}))
    assert load_catalog(path=path).get("m").context_window == 20
