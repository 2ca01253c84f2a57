"""Build the bundled catalog snapshot from the public sources (deterministic: same sources, same bytes).

Join rules, in order (see names.py and scores.py for the details, tests/unit/catalog for the proof):
1. Every source spelling is folded by names.model_key; a card is one card_key (no date stamp).
2. Score: Aider polyglot if the card has a run there; else a benchmark mapped by a usable linear fit
   (SWE-bench bash-only, then the Aider edit board, then EvalPlus); else our own measurement
   (measured_locally.json); else none. Raw values of every benchmark are kept in raw_scores.
3. Routes, each priced by its own provider: direct = LiteLLM entries of the first-party provider
   (exact dated snapshot of the scored run if listed, else the undated alias); OpenRouter = its
   /models listing (slug or Hugging Face id); Ollama = the known tags in names.OLLAMA_MODELS at $0;
   embedded = SmolLM2 at $0. Routes are ordered first-party first, so routes[0] carries the
   first-party price.
4. Dropped routes: a LiteLLM deprecation_date or OpenRouter expiration_date before as-of; direct
   entries only on OpenAI's Responses API (the adapters speak chat completions); a zero first-party
   price (free experimental tiers, not a price); experimental releases (`-exp`) OpenRouter no
   longer lists. A card with no route left is dropped; a remote card with no score is dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefloor.catalog.names import OLLAMA_MODELS, card_key, direct_route_has_fim
from codefloor.catalog.scores import Fit, best_runs, fit_onto_aider
from codefloor.catalog.sources import (
    AIDER_EDIT,
    AIDER_POLYGLOT,
    EVALPLUS,
    EVALPLUS_DATE,
    LITELLM,
    MEASURED,
    Measurement,
    OpenRouterEntry,
    PriceEntry,
    Run,
    file_date,
    newest_openrouter_file,
    newest_swebench_file,
    read_aider,
    read_evalplus,
    read_litellm,
    read_measured,
    read_openrouter,
    read_swebench,
)
from codefloor.catalog.types import FIM, PROVIDER_NAMES, STREAMING, TOOLS, ModelCard, Route

SCHEMA = 1
BUNDLED_SOURCES = Path(__file__).parent / "sources"
BUNDLED_CATALOG = Path(__file__).parent / "data" / "catalog.json"
MAPPED_BENCHMARKS = ("swe-bench-bash-only", "aider-edit", "evalplus")
RAW_NAMES = {"aider-polyglot": "aider-polyglot", "swe-bench-bash-only": "swe-bench-bash-only",
             "aider-edit": "aider-edit", "evalplus": "evalplus-humaneval+"}

EMBEDDED_ID = "smollm2-135m-instruct"
EMBEDDED_CONTEXT = 8192
EMBEDDED_MAX_OUTPUT = 2048
_EXPERIMENTAL = re.compile(r"(^|-)exp($|-)")


@dataclass
class Sources:
    """Everything read from one sources folder."""

    runs: dict[str, list[Run]]
    prices: list[PriceEntry]
    openrouter: list[OpenRouterEntry]
    measured: list[Measurement]
    dates: dict[str, str]


def read_sources(folder: Path) -> Sources:
    openrouter_file, swebench_file = newest_openrouter_file(folder), newest_swebench_file(folder)
    runs = {
        "aider-polyglot": read_aider(folder / AIDER_POLYGLOT, "aider-polyglot"),
        "swe-bench-bash-only": read_swebench(swebench_file),
        "aider-edit": read_aider(folder / AIDER_EDIT, "aider-edit"),
        "evalplus": read_evalplus(folder / EVALPLUS),
    }
    prices, litellm_date = read_litellm(folder / LITELLM)
    dates = {name: max(r.date for r in records) for name, records in runs.items() if records}
    dates["evalplus"] = EVALPLUS_DATE
    dates["openrouter"] = file_date(openrouter_file)
    if litellm_date:
        dates["litellm"] = litellm_date
    measured = read_measured(folder / MEASURED)
    if measured:
        dates["measured-locally"] = max(m.date for m in measured)
    return Sources(runs, prices, read_openrouter(openrouter_file), measured, dict(sorted(dates.items())))


@dataclass
class Draft:
    """A card being assembled."""

    key: str
    runs: dict[str, Run] = field(default_factory=dict)  # benchmark -> chosen run
    routes: list[tuple[Route, str | None, int | None, int | None, bool]] = field(default_factory=list)
    display: str | None = None
    open_weights: bool = False
    score: dict[str, Any] = field(default_factory=dict)
    score_run: Run | None = None


def undated_name(wire_name: str) -> str:
    """A readable card id from a provider's model name: `claude-sonnet-4-5-20250929` -> `claude-sonnet-4-5`."""
    return re.sub(r"-(20\d\d-?\d\d-?\d\d|latest)$", "", wire_name)


def card_id_from_routes(routes: list[Route]) -> str:
    """The provider's own name (date dropped), else the Ollama tag, else the OpenRouter slug."""
    for route in routes:
        if route.provider not in ("openrouter", "ollama", "embedded"):
            return undated_name(route.model_name)
    for route in routes:
        if route.provider == "ollama":
            return route.model_name.replace(":", "-")
    return routes[0].model_name.rsplit("/", 1)[-1]


def _per_mtok(per_token: float) -> float:
    return round(per_token * 1_000_000, 6)


def _run_keys(draft: Draft) -> list[str]:
    """Keys of the card's runs, the run that gives the score first."""
    keys = [draft.score_run.key] if draft.score_run else []
    return keys + sorted({r.key for r in draft.runs.values()} - set(keys))


def _pick_direct(entries: list[PriceEntry], run_keys: list[str], key: str, spellings: list[str]) -> PriceEntry | None:
    """Exact dated snapshot of a scored run first, then the undated alias, then the newest snapshot.

    Among spellings of one snapshot, the one a benchmark used wins (LiteLLM lists some twice).
    """
    for wanted in (*run_keys, key):
        exact = [e for e in entries if e.key == wanted]
        if exact:
            rank = {name: i for i, name in reversed(list(enumerate(spellings)))}
            return min(exact, key=lambda e: (rank.get(e.wire_name.lower(), len(rank)), e.wire_name))
    return max(entries, key=lambda e: e.key) if entries else None


def _live(date: str | None, as_of: str) -> bool:
    return date is None or date >= as_of


def _direct_routes(draft: Draft, prices: dict[str, list[PriceEntry]], as_of: str) -> None:
    run_keys = _run_keys(draft)
    entries = prices.get(draft.key, [])
    # A snapshot is deprecated if any spelling of it is (LiteLLM lists some twice, one without the date).
    deprecated = {(e.provider, e.key) for e in entries if not _live(e.deprecation_date, as_of)}
    by_provider: dict[str, list[PriceEntry]] = {}
    for entry in entries:
        usable = (entry.mode in ("chat", "completion") and entry.input_per_token > 0
                  and entry.output_per_token > 0 and (entry.provider, entry.key) not in deprecated)
        if usable:
            by_provider.setdefault(entry.provider, []).append(entry)
    for provider, entries in sorted(by_provider.items()):
        runs = ([draft.score_run] if draft.score_run else []) + sorted(draft.runs.values(), key=lambda r: r.benchmark)
        spellings = [r.model.lower().rsplit("/", 1)[-1] for r in runs]
        entry = _pick_direct(entries, run_keys, draft.key, spellings)
        if entry is None:
            continue
        route = Route(provider=provider, model_name=entry.wire_name,
                      input_price_per_mtok=_per_mtok(entry.input_per_token),
                      output_price_per_mtok=_per_mtok(entry.output_per_token),
                      supports_fim=direct_route_has_fim(provider, draft.key))
        draft.routes.append((route, entry.deprecation_date, entry.context_window, entry.max_output_tokens, entry.tools))


def _openrouter_route(draft: Draft, openrouter: dict[str, list[OpenRouterEntry]], as_of: str) -> None:
    candidates = [e for e in openrouter.get(draft.key, []) if _live(e.expiration_date, as_of)]
    if not candidates:
        return
    entry = None
    for wanted in _run_keys(draft):
        exact = [e for e in candidates if wanted in e.keys]
        if exact:
            entry = min(exact, key=lambda e: (len(e.id), e.id))
            break
    entry = entry or min(candidates, key=lambda e: (len(e.id), e.id))
    route = Route(provider="openrouter", model_name=entry.id, input_price_per_mtok=_per_mtok(entry.input_per_token),
                  output_price_per_mtok=_per_mtok(entry.output_per_token))
    draft.routes.append((route, entry.expiration_date, entry.context_window, entry.max_output_tokens, entry.tools))
    draft.display = draft.display or entry.name.split(": ", 1)[-1]
    draft.open_weights = draft.open_weights or bool(len(entry.keys) > 1)


def _ollama_routes(draft: Draft, tags_by_key: dict[str, list[str]]) -> None:
    for tag in tags_by_key.get(draft.key, []):
        _, context, fim = OLLAMA_MODELS[tag]
        route = Route(provider="ollama", model_name=tag, input_price_per_mtok=0, output_price_per_mtok=0,
                      supports_fim=fim)
        draft.routes.append((route, None, context, None, False))
        draft.open_weights = True


def _score(draft: Draft, fits: dict[str, Fit]) -> None:
    """Aider polyglot if measured there, else the first benchmark with a usable fit onto it."""
    if run := draft.runs.get("aider-polyglot"):
        draft.score_run = run
        draft.score = {"coding_score": run.value, "score_source": "aider-polyglot", "score_date": run.date,
                       "score_setting": run.setting}
        return
    for benchmark in MAPPED_BENCHMARKS:
        run, fit = draft.runs.get(benchmark), fits.get(benchmark)
        if run and fit and fit.usable:
            draft.score_run = run
            draft.score = {"coding_score": fit.map(run.value), "score_source": f"{benchmark} (mapped)",
                           "score_date": run.date, "score_setting": run.setting}
            return


def _card(draft: Draft, measured: dict[str, Measurement]) -> ModelCard | None:
    if not draft.routes:
        return None
    order = {name: i for i, name in enumerate(PROVIDER_NAMES)}
    draft.routes.sort(key=lambda r: (order[r[0].provider], r[0].model_name))
    card_id = card_id_from_routes([r[0] for r in draft.routes])
    score = dict(draft.score)
    raw = {RAW_NAMES[b]: run.value for b, run in draft.runs.items()}
    if card_id in measured:
        m = measured[card_id]
        raw[m.benchmark] = m.raw
        if not score:
            score = {"coding_score": m.score, "score_source": "measured-locally", "score_date": m.date,
                     "score_setting": f"{m.benchmark}: {m.command}"}
    local_only = all(r[0].is_local for r in draft.routes)
    if not score and not local_only:
        return None
    contexts = [r[2] for r in draft.routes if r[2]]
    outputs = [r[3] for r in draft.routes if r[3]]
    context = min(contexts) if contexts else EMBEDDED_CONTEXT
    capabilities = {STREAMING}
    if any(r[0].supports_fim for r in draft.routes):
        capabilities.add(FIM)
    if any(r[4] for r in draft.routes):
        capabilities.add(TOOLS)
    deprecations = sorted(d for d in (r[1] for r in draft.routes) if d)
    return ModelCard(
        id=card_id, display_name=draft.display or card_id, raw_scores=dict(sorted(raw.items())),
        context_window=context, max_output_tokens=min(min(outputs) if outputs else context, context),
        capabilities=frozenset(capabilities), routes=tuple(r[0] for r in draft.routes),
        deprecation_date=deprecations[0] if deprecations else None, open_weights=draft.open_weights, **score,
    )


def embedded_card(measured: dict[str, Measurement]) -> ModelCard:
    route = Route(provider="embedded", model_name=EMBEDDED_ID, input_price_per_mtok=0, output_price_per_mtok=0)
    score: dict[str, Any] = {}
    raw: dict[str, float] = {}
    if m := measured.get(EMBEDDED_ID):
        score = {"coding_score": m.score, "score_source": "measured-locally", "score_date": m.date,
                 "score_setting": f"{m.benchmark}: {m.command}"}
        raw[m.benchmark] = m.raw
    return ModelCard(id=EMBEDDED_ID, display_name="SmolLM2-135M-Instruct (embedded, offline)", raw_scores=raw,
                     context_window=EMBEDDED_CONTEXT, max_output_tokens=EMBEDDED_MAX_OUTPUT, routes=(route,),
                     open_weights=True, **score)


def build_cards(src: Sources, as_of: str) -> tuple[list[ModelCard], dict[str, Fit]]:
    best = {benchmark: best_runs(runs) for benchmark, runs in src.runs.items()}
    fits = {b: f for b in MAPPED_BENCHMARKS if (f := fit_onto_aider(b, best["aider-polyglot"], best[b]))}
    prices: dict[str, list[PriceEntry]] = {}
    for entry in src.prices:
        prices.setdefault(card_key(entry.key), []).append(entry)
    openrouter: dict[str, list[OpenRouterEntry]] = {}
    for entry in src.openrouter:
        for key in entry.keys:
            openrouter.setdefault(card_key(key), []).append(entry)
    tags_by_key: dict[str, list[str]] = {}
    for tag, (key, _, _) in sorted(OLLAMA_MODELS.items()):
        tags_by_key.setdefault(key, []).append(tag)

    keys = set(tags_by_key)
    for benchmark_runs in best.values():
        keys.update(benchmark_runs)
    measured = {m.id: m for m in src.measured}
    cards = []
    for key in sorted(keys):
        draft = Draft(key, runs={b: runs[key] for b, runs in best.items() if key in runs})
        _score(draft, fits)
        _direct_routes(draft, prices, as_of)
        _openrouter_route(draft, openrouter, as_of)
        _ollama_routes(draft, tags_by_key)
        if _EXPERIMENTAL.search(key) and not any(r[0].provider == "openrouter" for r in draft.routes):
            continue
        if card := _card(draft, measured):
            cards.append(card)
    cards.append(embedded_card(measured))
    ids = [c.id for c in cards]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"two cards share the id(s) {duplicates}; add a names.NAME_ALIASES entry")
    return sorted(cards, key=lambda c: c.id), fits


def catalog_document(src: Sources, as_of: str | None = None) -> dict[str, Any]:
    # Our own measurement's date says nothing about prices or deprecations: public sources only.
    as_of = as_of or max(date for name, date in src.dates.items() if name != "measured-locally")
    cards, fits = build_cards(src, as_of)
    return {
        "schema": SCHEMA,
        "as_of": as_of,
        "sources": src.dates,
        "fits": {name: fit.as_dict() for name, fit in sorted(fits.items())},
        "models": [card.model_dump(mode="json") for card in cards],
    }


def render(document: dict[str, Any]) -> str:
    """Stable bytes: sorted keys, capabilities sorted, two-space indent, trailing newline."""
    for model in document["models"]:
        model["capabilities"] = sorted(model["capabilities"])
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def build(sources: Path = BUNDLED_SOURCES, out: Path = BUNDLED_CATALOG, as_of: str | None = None) -> dict[str, Any]:
    document = catalog_document(read_sources(sources), as_of)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(document), encoding="utf-8")
    return document
