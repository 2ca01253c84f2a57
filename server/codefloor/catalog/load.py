"""Load the catalog: the snapshot in use (parsed once per process) plus the user's [[models]] tables.

No network, no sources. The snapshot in use is the newer (by `as_of`) of the bundled
catalog/data/catalog.json (the fallback, never written at run time) and <data dir>/catalog.json,
which `codefloor catalog update` writes atomically; a user catalog that cannot be read is reported
(naming the file) and the bundled one is used. `path=` reads that one file instead.

A running server follows the catalog with CatalogFollower.current(): at most one os.stat of
<data dir>/catalog.json every CHECK_EVERY_S (a stat costs 6-10 us on the CI machine, a clock read
0.2 us: see benchmarks/catalog/freshness.py) and a reload only when that file changed.

User tables (TOML, in the user config file):

    [[models]]                          # override part of a bundled card
    id = "gpt-5"
    routes = [{ provider = "openai", input_price_per_mtok = 1.0, output_price_per_mtok = 8.0 }]

    [[models]]                          # trust your own score
    id = "qwen2.5-coder-7b"
    coding_score = 30                   # -> score_source "user"

    [[models]]                          # a new model
    id = "my-coder"
    coding_score = 35
    routes = [{ provider = "ollama", model_name = "my-coder:14b" }]   # local routes default to $0

An override changes only the fields it gives; `routes` entries merge with the card's route of the
same provider. `input_price_per_mtok` / `output_price_per_mtok` at the top level set every route's
price. Errors name the file, the model id and the field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from codefloor.catalog.types import FIM, LOCAL_PROVIDERS, PROVIDER_NAMES, STREAMING, TOOLS, ModelCard, Route
from codefloor.config import UserConfig, data_dir
from codefloor.errors import SetupError

log = logging.getLogger(__name__)

BUNDLED_CATALOG = Path(__file__).parent / "data" / "catalog.json"
USER_CATALOG_NAME = "catalog.json"  # in the user data dir, written by `codefloor catalog update`
STALE_AFTER_DAYS = 30  # `models`, `route` and the server warn when the catalog is older than this
# A running server looks at <data dir>/catalog.json at most this often: a new catalog is routed with
# from the first request this long after it landed, and requests in between pay a clock read, not a stat.
CHECK_EVERY_S = 0.25
CAPABILITY_NAMES = frozenset({STREAMING, FIM, TOOLS})
NEW_CARD_CONTEXT = 8192
NEW_CARD_MAX_OUTPUT = 4096
_CARD_FIELDS = frozenset(ModelCard.model_fields) - {"raw_scores"}
_USER_FIELDS = _CARD_FIELDS | {"input_price_per_mtok", "output_price_per_mtok"}


class CatalogError(SetupError):
    """The catalog or a user model is invalid; the message names the file, the model id and the field."""


@dataclass(frozen=True)
class Catalog:
    cards: tuple[ModelCard, ...]
    as_of: str
    sources: dict
    fits: dict
    path: str = ""  # the file it was read from
    downloads: dict = field(default_factory=dict)  # `catalog update`: source -> {url, fetched}
    warning: str | None = None  # why the user catalog in the data dir is not the one in use
    _by_id: dict[str, ModelCard] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {card.id: card for card in self.cards})

    def get(self, model_id: str) -> ModelCard | None:
        return self._by_id.get(model_id)

    @property
    def origin(self) -> str:
        """Where this catalog came from, in words: `bundled snapshot`, `catalog update` or `catalog build`."""
        if self.path == str(BUNDLED_CATALOG):
            return "bundled snapshot"
        return "catalog update" if self.downloads else "catalog build"

    def age_days(self, today: dt.date | None = None) -> int | None:
        try:
            return ((today or dt.date.today()) - dt.date.fromisoformat(self.as_of)).days
        except ValueError:
            return None

    def describe(self) -> str:
        """`catalog as of 2026-08-01 (bundled snapshot, /.../catalog.json)`: the date and where it came from."""
        return f"catalog as of {self.as_of or 'unknown date'} ({self.origin}, {self.path})"

    def staleness(self, today: dt.date | None = None) -> str | None:
        """A warning when the catalog is older than STALE_AFTER_DAYS (or could not be used), else None."""
        age = self.age_days(today)
        parts = [self.warning] if self.warning else []
        if age is not None and age > STALE_AFTER_DAYS:
            parts.append(f"the {self.describe()} is {age} days old: prices, scores and models may have changed; "
                         "run `codefloor catalog update`")
        return "; ".join(parts) or None


def user_catalog_path(env: Mapping[str, str] | None = None) -> Path:
    return data_dir(env) / USER_CATALOG_NAME


def load_catalog(config: UserConfig | None = None, *, path: Path | None = None,
                 env: Mapping[str, str] | None = None) -> Catalog:
    base = _snapshot(path) if path is not None else catalog_in_use(env)
    if config is None or not config.models:
        return _measured(base, env)
    source = config.source_path or "user config"
    cards = {card.id: card for card in base.cards}
    for index, table in enumerate(config.models):
        card = _merge_user_model(table, cards, source, index)
        cards[card.id] = card
    return _measured(dataclasses.replace(base, cards=tuple(sorted(cards.values(), key=lambda c: c.id))), env)


def _measured(catalog: Catalog, env: Mapping[str, str] | None) -> Catalog:
    """`codefloor calibrate` results (<data dir>/calibrations.json) put on their cards; a user-set score wins."""
    from codefloor.calibrate.scores import apply_calibrations, calibrations_path

    cards = apply_calibrations(catalog.cards, calibrations_path(env))
    return catalog if cards is catalog.cards else dataclasses.replace(catalog, cards=cards)


class CatalogFollower:
    """The catalog a running server routes with, following <data dir>/catalog.json without a restart.

    current() is the ONE place that notices a newer catalog: at most every `every_s` (default
    CHECK_EVERY_S) it stats that file and `codefloor calibrate`'s calibrations.json, and reloads only when
    one of them changed (inode, size or mtime);
    `prepare` (e.g. dropping unreachable cards) runs once per reload. A reload that fails keeps the
    catalog in use and logs why.
    """

    def __init__(self, config: UserConfig | None = None, env: Mapping[str, str] | None = None,
                 prepare: Callable[[Catalog], Catalog] = lambda catalog: catalog, *,
                 every_s: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._config, self._env, self._prepare = config, env, prepare
        self._every = CHECK_EVERY_S if every_s is None else every_s
        self._clock = clock
        self._path = user_catalog_path(env)
        self._stamp = self._stamps()
        self._next_check = clock() + self._every
        self._catalog = prepare(load_catalog(config, env=env))

    def current(self) -> Catalog:
        now = self._clock()
        if now < self._next_check:
            return self._catalog
        self._next_check = now + self._every
        stamp = self._stamps()
        if stamp != self._stamp:
            self._stamp = stamp
            try:
                self._catalog = self._prepare(load_catalog(self._config, env=self._env))
            except CatalogError as exc:
                log.warning("%s; still routing with the %s", exc, self._catalog.describe())
        return self._catalog

    def _stamps(self) -> tuple:
        from codefloor.calibrate.scores import calibrations_path, calibrations_stamp

        # a new `codefloor calibrate` result counts as a newer catalog too
        return _stamp(self._path), calibrations_stamp(calibrations_path(self._env))


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


# --- the snapshot ----------------------------------------------------------------------------------

_snapshots: dict[str, tuple[tuple[int, int], Catalog]] = {}  # resolved path -> ((mtime, size), parsed)


def catalog_in_use(env: Mapping[str, str] | None = None) -> Catalog:
    """The user catalog when it exists, is valid and is not older than the bundled one; else the bundled
    (with a warning naming the user file when it cannot be read). No [[models]] merged."""
    user_file = user_catalog_path(env)
    bundled = _snapshot(BUNDLED_CATALOG)
    if not user_file.exists():
        return bundled
    try:
        updated = _snapshot(user_file)
    except CatalogError as exc:
        return dataclasses.replace(bundled, warning=f"{exc}; using the bundled snapshot instead "
                                   "(`codefloor catalog update` replaces it)")
    return updated if updated.as_of >= bundled.as_of else bundled


def _snapshot(path: Path) -> Catalog:
    """Parse a snapshot file once per process (keyed by path, size and mtime so a rebuild is seen)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read the catalog: {exc.strerror or exc}") from None
    where, stamp = str(path.resolve()), (stat.st_mtime_ns, stat.st_size)
    cached = _snapshots.get(where)
    if cached is None or cached[0] != stamp:
        _snapshots[where] = (stamp, _parse_snapshot(path))
    return _snapshots[where][1]


def _parse_snapshot(path: Path) -> Catalog:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CatalogError(f"{path}: not a readable catalog JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("schema") != 1 or not isinstance(document.get("models"), list):
        raise CatalogError(f"{path}: not a codefloor catalog (expected schema 1 with a 'models' list)")
    cards = []
    for index, raw in enumerate(document["models"]):
        model_id = raw.get("id", f"#{index}") if isinstance(raw, dict) else f"#{index}"
        try:
            cards.append(ModelCard.model_validate(raw))
        except ValidationError as exc:
            raise CatalogError(f"{path}: model '{model_id}': {_describe(exc)}") from None
    return Catalog(tuple(cards), str(document.get("as_of", "")), dict(document.get("sources", {})),
                   dict(document.get("fits", {})), str(path), dict(document.get("downloads", {})))


# --- user models ------------------------------------------------------------------------------------


def _merge_user_model(table: Any, cards: dict[str, ModelCard], source: str, index: int) -> ModelCard:
    where = f"{source}: [[models]] entry {index + 1}"
    if not isinstance(table, dict):
        raise CatalogError(f"{where}: expected a table with at least 'id'")
    model_id = table.get("id")
    if not isinstance(model_id, str) or not model_id.strip():
        raise CatalogError(f"{where}: field 'id': give the model id as a non-empty string")
    where = f"{source}: model '{model_id}'"
    unknown = sorted(set(table) - _USER_FIELDS)
    if unknown:
        raise CatalogError(f"{where}: field '{unknown[0]}' is not a model field (known: {', '.join(sorted(_USER_FIELDS))})")
    existing = cards.get(model_id)
    merged: dict[str, Any] = existing.model_dump() if existing else {"id": model_id, "display_name": model_id}
    shortcut_prices = {k: table[k] for k in ("input_price_per_mtok", "output_price_per_mtok") if k in table}
    for name, value in table.items():
        if name in _CARD_FIELDS and name != "routes":
            merged[name] = value
    if "coding_score" in table:
        merged["score_source"] = table.get("score_source", "user")
        merged["score_date"] = table.get("score_date")
        merged["score_setting"] = table.get("score_setting")
        # The bundled interval described the bundled score: a user's score has only the interval it gives.
        for name in ("coding_score_low", "coding_score_high", "score_interval"):
            merged[name] = table.get(name)
        merged["score_extrapolated"] = bool(table.get("score_extrapolated", False))
    if "capabilities" in table:
        merged["capabilities"] = _capabilities(table["capabilities"], where)
    merged["routes"] = _merge_routes(merged.get("routes", ()), table.get("routes", []), shortcut_prices, where)
    if not merged["routes"]:
        raise CatalogError(f"{where}: field 'routes': a new model needs at least one route, "
                           'e.g. routes = [{ provider = "ollama", model_name = "qwen2.5-coder:7b" }]')
    if existing is None:
        merged.setdefault("context_window", NEW_CARD_CONTEXT)
        merged.setdefault("max_output_tokens", min(NEW_CARD_MAX_OUTPUT, int(merged["context_window"])))
        if "capabilities" not in table:
            fim = any(route.get("supports_fim") for route in merged["routes"])
            merged["capabilities"] = {STREAMING, FIM} if fim else {STREAMING}
    try:
        return ModelCard.model_validate(merged)
    except ValidationError as exc:
        raise CatalogError(f"{where}: {_describe(exc)}") from None


def _capabilities(value: Any, where: str) -> set[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogError(f"{where}: field 'capabilities': give a list such as [\"streaming\", \"fim\"]")
    unknown = sorted(set(value) - CAPABILITY_NAMES)
    if unknown:
        raise CatalogError(f"{where}: field 'capabilities': unknown '{unknown[0]}' (known: {', '.join(sorted(CAPABILITY_NAMES))})")
    return set(value)


def _merge_routes(current: Any, given: Any, prices: dict[str, Any], where: str) -> list[dict[str, Any]]:
    routes = [dict(r) if isinstance(r, dict) else r.model_dump() for r in current]
    if not isinstance(given, list):
        raise CatalogError(f"{where}: field 'routes': give a list of tables with provider and model_name")
    for i, route in enumerate(given):
        if not isinstance(route, dict):
            raise CatalogError(f"{where}: field 'routes[{i}]': expected a table with provider and model_name")
        provider = route.get("provider")
        if provider not in PROVIDER_NAMES:
            raise CatalogError(f"{where}: field 'routes[{i}].provider': {provider!r} is not a provider "
                               f"({', '.join(PROVIDER_NAMES)})")
        unknown = sorted(set(route) - set(Route.model_fields))
        if unknown:
            raise CatalogError(f"{where}: field 'routes[{i}].{unknown[0]}' is not a route field "
                               f"(known: {', '.join(Route.model_fields)})")
        same = next((r for r in routes if r["provider"] == provider), None)
        if same is not None:
            same.update(route)
            continue
        new = dict(route)
        if provider in LOCAL_PROVIDERS:  # local models cost nothing per token
            new.setdefault("input_price_per_mtok", 0.0)
            new.setdefault("output_price_per_mtok", 0.0)
        for name in ("model_name", "input_price_per_mtok", "output_price_per_mtok"):
            if name not in new and not (name != "model_name" and name in prices):
                raise CatalogError(f"{where}: field 'routes[{i}].{name}' is required for a new {provider} route")
        routes.append(new)
    for route in routes:
        route.update(prices)
    for i, route in enumerate(routes):
        try:
            Route.model_validate(route)
        except ValidationError as exc:
            location, message = _error_parts(exc)
            raise CatalogError(f"{where}: field 'routes[{i}].{location}': {message}") from None
    return routes


def _error_parts(exc: ValidationError) -> tuple[str, str]:
    """(dotted field location, message with the offending value) of the first pydantic error."""
    err = exc.errors()[0]
    location = ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in err["loc"]).replace(".[", "[")
    got = f" (got {err['input']!r})" if "input" in err and not isinstance(err["input"], (dict, list)) else ""
    return location, f"{err['msg']}{got}"


def _describe(exc: ValidationError) -> str:
    location, message = _error_parts(exc)
    return f"field '{location}': {message}" if location else message
