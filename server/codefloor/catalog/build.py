"""Build the bundled catalog snapshot from the public sources (deterministic: same sources, same bytes).

Join rules, in order (see names.py and scores.py for the details, tests/unit/catalog for the proof):
1. Every source spelling is folded by names.model_key; a card is one card_key (no date stamp).
2. Score, with its interval (scores.py): Aider polyglot if the card has a merged run there (95%
   Wilson interval of its 225 cases); else a community run submitted to Aider as an unmerged pull
   request, labelled so (`aider-polyglot (community, unmerged PR N)`); else the mapped benchmark
   with the smallest leave-one-out error among the usable fits (SWE-bench bash-only, the Artificial
   Analysis coding index of the OpenRouter listing, the Aider edit board, EvalPlus), +/- that error;
   else our own measurement if it is on the Aider polyglot scale; else none. Raw values of every
   benchmark are kept in raw_scores; a benchmark with no usable fit never becomes a coding score.
3. GA and previews: a `-preview` key whose GA (the same key without `-preview...`) is listed by the
   first-party provider is superseded and retired (dropped); a GA with no Aider run of its own takes
   the newest superseded preview's run, labelled `(as <preview>)` (Google promotes the last preview).
4. Moving aliases (names.MOVING_ALIASES, e.g. deepseek-chat): the alias card carries the newest run.
   A fixed OpenRouter slug of an alias serves the version current when it was listed (`created`), so it
   never joins the alias card unless that version is the card's scored one; it becomes its own card
   (id from its Hugging Face id) scored by the alias's newest run dated no later than created + 7 days.
5. Routes, each priced by its own provider and carrying its own context window, long-context price
   tier (`*_above_200k_tokens`, OpenRouter prompt-size overrides) and deprecation date: direct =
   LiteLLM entries of the first-party provider (exact dated snapshot of the scored run if listed, else
   the undated alias); OpenRouter = its /models listing (slug or Hugging Face id), whose deprecation is
   the first-party one when that is earlier (a retired model does not live on through OpenRouter);
   Ollama = names.OLLAMA_MODELS at $0; embedded = SmolLM2 at $0. Routes are ordered first-party first.
6. Dropped routes: deprecated or expired before as-of (later dates stay on the route, and selection
   judges them against the date of the request); direct entries only on OpenAI's Responses API (the
   adapters speak chat completions); a zero first-party price (free experimental tiers, not a price);
   experimental releases (`-exp`) OpenRouter no longer lists. A card with no route left is dropped; a
   remote card with no score is dropped.
7. Reasoning (`reasons`, `low_effort`): whether the model reasons unless told not to (see
   _reasons_by_default), and the score of its lowest-effort measured polyglot run of the same version
   as the scored run (types.LOW_EFFORT_SETTINGS order: effort none, thinking off, minimal, low; then the
   newest run, then the lower score), which inline completions use (ModelCard.for_completion).
8. Output-token factor (costs.py): measured from the card's Aider run at its scored setting when the run
   recorded tokens or cost per case, else the documented default for reasoning / non-reasoning models.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codefloor.catalog import costs
from codefloor.catalog.names import MOVING_ALIASES, OLLAMA_MODELS, card_key, direct_route_has_fim, model_key
from codefloor.catalog.scores import Fit, best_runs, fit_onto_aider, neg_date, same_version, wilson_interval
from codefloor.catalog.sources import (
    AA_CODING,
    AIDER_EDIT,
    AIDER_POLYGLOT,
    AIDER_UNMERGED,
    EVALPLUS,
    EVALPLUS_DATE,
    LITELLM,
    MEASURED,
    POLYGLOT_CASES,
    Measurement,
    OpenRouterEntry,
    PriceEntry,
    Run,
    file_date,
    newest_openrouter_file,
    newest_swebench_file,
    openrouter_coding_runs,
    read_aider,
    read_aider_unmerged,
    read_evalplus,
    read_litellm,
    read_measured,
    read_openrouter,
    read_swebench,
)
from codefloor.catalog.types import (
    FIM,
    LOW_EFFORT_SETTINGS,
    PROVIDER_NAMES,
    STREAMING,
    TOOLS,
    LowEffortScore,
    ModelCard,
    Route,
)

SCHEMA = 1
BUNDLED_SOURCES = Path(__file__).parent / "sources"
BUNDLED_CATALOG = Path(__file__).parent / "data" / "catalog.json"
AIDER = "aider-polyglot"
COMMUNITY = "aider-polyglot-community"
MAPPED_BENCHMARKS = ("swe-bench-bash-only", AA_CODING, "aider-edit", "evalplus")
RAW_NAMES = {AIDER: AIDER, COMMUNITY: "aider-polyglot-community", "swe-bench-bash-only": "swe-bench-bash-only",
             AA_CODING: AA_CODING, "aider-edit": "aider-edit", "evalplus": "evalplus-humaneval+"}
SHOWN_NAMES = {"swe-bench-bash-only": "SWE-bench bash-only", AA_CODING: "the AA coding index",
               "aider-edit": "the Aider edit board", "evalplus": "EvalPlus HumanEval+"}

EMBEDDED_ID = "smollm2-135m-instruct"
EMBEDDED_CONTEXT = 8192
EMBEDDED_MAX_OUTPUT = 2048
ALIAS_GRACE_DAYS = 7  # a benchmark run may precede the OpenRouter listing of the version it measured
_EXPERIMENTAL = re.compile(r"(^|-)exp($|-)")
_PREVIEW = re.compile(r"^(?P<ga>.+?)-preview(?:-\d\d-\d\d)?$")


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
    openrouter = read_openrouter(openrouter_file)
    runs = {
        AIDER: read_aider(folder / AIDER_POLYGLOT, AIDER),
        COMMUNITY: read_aider_unmerged(folder / AIDER_UNMERGED),
        "swe-bench-bash-only": read_swebench(swebench_file),
        AA_CODING: openrouter_coding_runs(openrouter, file_date(openrouter_file)),
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
    return Sources(runs, prices, openrouter, measured, dict(sorted(dates.items())))


@dataclass
class RouteDraft:
    route: Route
    max_output: int | None
    tools: bool
    reasoning: bool | None


@dataclass
class Draft:
    """A card being assembled."""

    key: str
    runs: dict[str, Run] = field(default_factory=dict)  # benchmark -> chosen run
    routes: list[RouteDraft] = field(default_factory=list)
    display: str | None = None
    open_weights: bool = False
    score: dict[str, Any] = field(default_factory=dict)
    score_run: Run | None = None
    first_party_retired: str | None = None  # the deprecation date of the first-party snapshot, if any
    openrouter_only: OpenRouterEntry | None = None  # a fixed slug split off a moving alias (rule 4)
    id_hint: str | None = None


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


def _long_tier(tier: tuple[int, float, float] | None) -> dict[str, Any]:
    if tier is None:
        return {}
    tokens, above_in, above_out = tier
    return {"long_context_tokens": tokens, "long_input_price_per_mtok": _per_mtok(above_in),
            "long_output_price_per_mtok": _per_mtok(above_out)}


def _direct_routes(draft: Draft, prices: dict[str, list[PriceEntry]], as_of: str) -> None:
    run_keys = _run_keys(draft)
    entries = [e for e in prices.get(draft.key, []) if e.mode in ("chat", "completion")
               and e.input_per_token > 0 and e.output_per_token > 0]
    # A snapshot is deprecated if any spelling of it is (LiteLLM lists some twice, one without the date).
    deprecation = {}
    for e in entries:
        if e.deprecation_date:
            deprecation[(e.provider, e.key)] = min(e.deprecation_date, deprecation.get((e.provider, e.key), "9999"))
    by_provider: dict[str, list[PriceEntry]] = {}
    for entry in entries:
        by_provider.setdefault(entry.provider, []).append(entry)
    for provider, provider_entries in sorted(by_provider.items()):
        runs = ([draft.score_run] if draft.score_run else []) + sorted(draft.runs.values(), key=lambda r: r.benchmark)
        spellings = [r.model.lower().rsplit("/", 1)[-1] for r in runs]
        live = [e for e in provider_entries if _live(deprecation.get((e.provider, e.key)), as_of)]
        entry = _pick_direct(live, run_keys, draft.key, spellings)
        if entry is None:  # every snapshot of it is retired: so is the card, whatever route serves it
            retired = _pick_direct(provider_entries, run_keys, draft.key, spellings)
            if retired is not None:
                draft.first_party_retired = deprecation[(retired.provider, retired.key)]
            continue
        retires = deprecation.get((entry.provider, entry.key))
        if retires:
            draft.first_party_retired = min(retires, draft.first_party_retired or retires)
        route = Route(provider=provider, model_name=entry.wire_name,
                      input_price_per_mtok=_per_mtok(entry.input_per_token),
                      output_price_per_mtok=_per_mtok(entry.output_per_token),
                      supports_fim=direct_route_has_fim(provider, draft.key),
                      context_window=entry.context_window, deprecation_date=retires,
                      **_long_tier(entry.long_context))
        draft.routes.append(RouteDraft(route, entry.max_output_tokens, entry.tools, entry.reasoning))


def _openrouter_route(draft: Draft, openrouter: dict[str, list[OpenRouterEntry]], as_of: str) -> None:
    if draft.openrouter_only is not None:
        candidates = [draft.openrouter_only]
    else:
        candidates = [e for e in openrouter.get(draft.key, []) if not _other_version(e, draft)]
    candidates = [e for e in candidates if _live(e.expiration_date, as_of)]
    if not candidates or (draft.first_party_retired and not _live(draft.first_party_retired, as_of)):
        return
    entry = None
    for wanted in _run_keys(draft):
        exact = [e for e in candidates if wanted in e.keys]
        if exact:
            entry = min(exact, key=lambda e: (len(e.id), e.id))
            break
    entry = entry or min(candidates, key=lambda e: (len(e.id), e.id))
    retires = min((d for d in (entry.expiration_date, draft.first_party_retired) if d), default=None)
    route = Route(provider="openrouter", model_name=entry.id, input_price_per_mtok=_per_mtok(entry.input_per_token),
                  output_price_per_mtok=_per_mtok(entry.output_per_token), context_window=entry.context_window,
                  deprecation_date=retires, **_long_tier(entry.long_context))
    draft.routes.append(RouteDraft(route, entry.max_output_tokens, entry.tools, entry.reasoning))
    draft.display = draft.display or entry.name.split(": ", 1)[-1]
    draft.open_weights = draft.open_weights or bool(len(entry.keys) > 1)


def _other_version(entry: OpenRouterEntry, draft: Draft) -> bool:
    """A fixed OpenRouter slug of a moving alias that serves another version than the card's scored run."""
    if draft.key not in MOVING_ALIASES or entry.created is None:
        return False
    return draft.score_run is None or alias_version_run([draft.score_run], entry.created) is None


def alias_version_run(runs: list[Run], created: str) -> Run | None:
    """The newest run of a moving alias dated no later than `created` + ALIAS_GRACE_DAYS: the version
    the alias pointed to when a fixed slug of it was listed. None when `runs` has no such run."""
    from datetime import date, timedelta

    limit = (date.fromisoformat(created) + timedelta(days=ALIAS_GRACE_DAYS)).isoformat()
    dated = [r for r in runs if r.date <= limit]
    return max(dated, key=lambda r: (r.date, -r.value)) if dated else None


def _ollama_routes(draft: Draft, tags_by_key: dict[str, list[str]]) -> None:
    for tag in tags_by_key.get(draft.key, []):
        _, context, fim = OLLAMA_MODELS[tag]
        route = Route(provider="ollama", model_name=tag, input_price_per_mtok=0, output_price_per_mtok=0,
                      supports_fim=fim, context_window=context)
        draft.routes.append(RouteDraft(route, None, False, False))
        draft.open_weights = True


def measured_score(run: Run) -> dict[str, Any]:
    """A measured polyglot run: its pass rate with the 95% Wilson interval of its cases."""
    cases = run.cases or POLYGLOT_CASES
    low, high = wilson_interval(run.value, cases)
    return {"coding_score": run.value, "score_source": run.label, "score_date": run.date,
            "score_setting": run.setting, "coding_score_low": low, "coding_score_high": high,
            "score_interval": f"{run.label}, 95% binomial (Wilson) interval over {cases} cases"}


def mapped_score(run: Run, fit: Fit) -> dict[str, Any]:
    """A mapped score: +/- the fit's leave-one-out RMSE, flagged when the raw value is outside the fit's range."""
    score, error = fit.map(run.value), round(fit.loo_rmse, 1)
    extrapolated = fit.extrapolated(run.value)
    note = ", extrapolated" if extrapolated else ""
    shown = SHOWN_NAMES.get(run.benchmark, run.benchmark)
    return {"coding_score": score, "score_source": f"{run.benchmark} (mapped)", "score_date": run.date,
            "score_setting": run.setting, "coding_score_low": round(max(0.0, score - error), 1),
            "coding_score_high": round(min(100.0, score + error), 1), "score_extrapolated": extrapolated,
            "score_interval": f"mapped from {shown} {run.value:g}, n={fit.n}{note}; +/- leave-one-out RMSE"}


def _score(draft: Draft, fits: dict[str, Fit]) -> None:
    """A measured run (merged, then community) if any, else the usable fit with the smallest LOO error."""
    for benchmark in (AIDER, COMMUNITY):
        if run := draft.runs.get(benchmark):
            draft.score_run, draft.score = run, measured_score(run)
            return
    usable = [(fits[b].loo_rmse, i, b) for i, b in enumerate(MAPPED_BENCHMARKS)
              if b in draft.runs and b in fits and fits[b].usable]
    if usable:
        benchmark = min(usable)[2]
        draft.score_run = draft.runs[benchmark]
        draft.score = mapped_score(draft.score_run, fits[benchmark])


def _sort_routes(draft: Draft) -> None:
    order = {name: i for i, name in enumerate(PROVIDER_NAMES)}
    draft.routes.sort(key=lambda r: (order[r.route.provider], r.route.model_name))


def _usage(draft: Draft, prompt_per_case: float | None) -> costs.Usage | None:
    """Token use of the card's scored Aider run, priced at its first route (first-party first)."""
    route = draft.routes[0].route if draft.routes else None
    return costs.run_usage(draft.score_run, route, prompt_per_case, _reasons_by_default(draft))


def low_effort_run(score_run: Run | None, runs: list[Run]) -> Run | None:
    """Rule 7: the lowest-effort measured polyglot run of the scored run's model version, or None."""
    if score_run is None or score_run.benchmark not in (AIDER, COMMUNITY):
        return None
    key = card_key(score_run.key)

    def same(run: Run) -> bool:  # a moving alias's runs are one version only when run the same day
        return run.date == score_run.date if key in MOVING_ALIASES else same_version(run, score_run)

    low = [r for r in runs if r.setting in LOW_EFFORT_SETTINGS and card_key(r.key) == key and same(r)]
    return min(low, key=lambda r: (LOW_EFFORT_SETTINGS.index(r.setting), neg_date(r.date), r.value), default=None)


def _low_effort(draft: Draft, src_runs: list[Run]) -> LowEffortScore | None:
    run = low_effort_run(draft.score_run, src_runs)
    if run is None:
        return None
    score = measured_score(run)
    return LowEffortScore(**{k: score[k] for k in LowEffortScore.model_fields})


def _card(draft: Draft, measured: dict[str, Measurement], factors: costs.Factors,
          prompt_per_case: float | None, polyglot_runs: list[Run] = ()) -> ModelCard | None:  # type: ignore[assignment]
    if not draft.routes:
        return None
    routes = [r.route for r in draft.routes]
    card_id = draft.id_hint or card_id_from_routes(routes)
    score = dict(draft.score)
    raw = {RAW_NAMES[b]: run.value for b, run in draft.runs.items()}
    if card_id in measured:
        m = measured[card_id]
        raw[m.benchmark] = m.raw
        if not score:
            score = measured_locally_score(m)
    local_only = all(r.is_local for r in routes)
    if not score and not local_only:
        return None
    contexts = [r.context_window for r in routes if r.context_window]
    outputs = [r.max_output for r in draft.routes if r.max_output]
    context = max(contexts) if contexts else EMBEDDED_CONTEXT
    capabilities = {STREAMING}
    if any(r.supports_fim for r in routes):
        capabilities.add(FIM)
    if any(r.tools for r in draft.routes):
        capabilities.add(TOOLS)
    deprecations = sorted(d for d in (r.deprecation_date for r in routes) if d)
    factor, factor_source = factors.for_card(_usage(draft, prompt_per_case), _reasons_by_default(draft))
    if local_only:
        factor, factor_source = 1.0, "local: no per-token price"
    return ModelCard(
        id=card_id, display_name=draft.display or card_id, raw_scores=dict(sorted(raw.items())),
        context_window=context, max_output_tokens=min(min(outputs) if outputs else context, context),
        capabilities=frozenset(capabilities), routes=tuple(routes),
        deprecation_date=deprecations[0] if deprecations else None, open_weights=draft.open_weights,
        output_token_factor=factor, output_token_factor_source=factor_source,
        reasons=_reasons_by_default(draft), low_effort=_low_effort(draft, list(polyglot_runs)), **score,
    )


def _reasons_by_default(draft: Draft) -> bool:
    """OpenRouter's listing when it says whether a model reasons unless told not to (default_enabled,
    mandatory); else LiteLLM's supports_reasoning, except Anthropic's (extended thinking runs only when a
    budget is sent, and the adapter sends none); a run at a reasoning setting reasons."""
    listed = [r.reasoning for r in draft.routes if r.route.provider == "openrouter" and r.reasoning is not None]
    if listed:
        return bool(listed[0])
    setting = draft.score_run.setting if draft.score_run else "default"
    if setting.startswith(("reasoning_effort=", "thinking_tokens=")):
        return True
    return any(r.reasoning and r.route.provider not in ("anthropic", "openrouter") for r in draft.routes)


def measured_locally_score(m: Measurement) -> dict[str, Any]:
    """Our own measurement is a coding score only when it is on the Aider polyglot scale (aider-polyglot...)."""
    if not m.benchmark.startswith(AIDER) or m.cases is None:
        return {}
    low, high = wilson_interval(m.score, m.cases)
    return {"coding_score": m.score, "score_source": "measured-locally", "score_date": m.date,
            "score_setting": f"{m.benchmark}: {m.command}", "coding_score_low": low, "coding_score_high": high,
            "score_interval": f"measured locally ({m.benchmark}), 95% binomial (Wilson) interval over {m.cases} cases"}


def embedded_card(measured: dict[str, Measurement]) -> ModelCard:
    route = Route(provider="embedded", model_name=EMBEDDED_ID, input_price_per_mtok=0, output_price_per_mtok=0,
                  context_window=EMBEDDED_CONTEXT)
    score: dict[str, Any] = {}
    raw: dict[str, float] = {}
    if m := measured.get(EMBEDDED_ID):
        score = measured_locally_score(m)
        raw[m.benchmark] = m.raw
    return ModelCard(id=EMBEDDED_ID, display_name="SmolLM2-135M-Instruct (embedded, offline)", raw_scores=raw,
                     context_window=EMBEDDED_CONTEXT, max_output_tokens=EMBEDDED_MAX_OUTPUT, routes=(route,),
                     open_weights=True, output_token_factor_source="local: no per-token price", **score)


def ga_of_preview(key: str) -> str | None:
    match = _PREVIEW.match(key)
    return match.group("ga") if match else None


def promote_previews(best: dict[str, dict[str, Run]], first_party_keys: set[str]) -> set[str]:
    """Rule 3: the preview keys superseded by a listed GA (returned), and the GA takes the newest one's
    Aider run when it has none of its own. Changes `best` in place."""
    superseded: dict[str, list[str]] = {}
    every_key = set().union(*(runs.keys() for runs in best.values()))
    for key in every_key:
        ga = ga_of_preview(key)
        if ga is not None and ga in first_party_keys:
            superseded.setdefault(ga, []).append(key)
    for ga, previews in superseded.items():
        for benchmark in (AIDER, COMMUNITY):
            if ga in best[benchmark]:
                continue
            runs = [best[benchmark][p] for p in previews if p in best[benchmark]]
            if runs:
                newest = max(runs, key=lambda r: (r.date, -r.value))
                best[benchmark][ga] = Run(newest.benchmark, newest.model, newest.key, newest.display, newest.date,
                                          newest.value, newest.setting, f"{newest.label} (as {newest.model})",
                                          newest.cases, newest.cost_per_case, newest.prompt_tokens_per_case,
                                          newest.completion_tokens_per_case)
    return {p for previews in superseded.values() for p in previews}


def _alias_snapshots(openrouter: dict[str, list[OpenRouterEntry]], all_runs: dict[str, list[Run]],
                     best: dict[str, dict[str, Run]]) -> list[Draft]:
    """Rule 4: fixed OpenRouter slugs of moving aliases that serve another version become their own cards."""
    drafts = []
    for alias in sorted(MOVING_ALIASES):
        scored = best[AIDER].get(alias)
        for entry in openrouter.get(alias, []):
            if entry.created is None or (scored and alias_version_run([scored], entry.created)):
                continue
            runs = [r for r in all_runs[AIDER] if card_key(r.key) == alias]
            run = alias_version_run(runs, entry.created)
            own_key = entry.keys[-1]  # the Hugging Face id names the version (deepseek-ai/DeepSeek-V3)
            if run is None or own_key == alias:
                continue
            pinned = Run(run.benchmark, run.model, run.key, run.display, run.date, run.value, run.setting,
                         f"{run.label} (as {run.display})", run.cases, run.cost_per_case,
                         run.prompt_tokens_per_case, run.completion_tokens_per_case)
            drafts.append(Draft(own_key, runs={AIDER: pinned}, openrouter_only=entry, id_hint=own_key))
    return drafts


def build_cards(src: Sources, as_of: str) -> tuple[list[ModelCard], dict[str, Fit], costs.Factors]:
    best = {benchmark: best_runs(runs) for benchmark, runs in src.runs.items()}
    prices: dict[str, list[PriceEntry]] = {}
    for entry in src.prices:
        prices.setdefault(card_key(entry.key), []).append(entry)
    superseded = promote_previews(best, {k for k, entries in prices.items()
                                         if any(_live(e.deprecation_date, as_of) for e in entries)})
    # Fits pair each benchmark with a measured polyglot run: Aider's own, else a community one.
    measured_runs = {**best[COMMUNITY], **best[AIDER]}
    fits = {b: f for b in MAPPED_BENCHMARKS if (f := fit_onto_aider(b, measured_runs, best[b]))}
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
    keys -= superseded
    measured = {m.id: m for m in src.measured}
    drafts = [Draft(key, runs={b: runs[key] for b, runs in best.items() if key in runs}) for key in sorted(keys)]
    drafts += _alias_snapshots(openrouter, src.runs, best)
    kept = []
    for draft in drafts:
        _score(draft, fits)
        if draft.openrouter_only is None:
            _direct_routes(draft, prices, as_of)
        _openrouter_route(draft, openrouter, as_of)
        if draft.openrouter_only is None:
            _ollama_routes(draft, tags_by_key)
        if _EXPERIMENTAL.search(draft.key) and not any(r.route.provider == "openrouter" for r in draft.routes):
            continue
        _sort_routes(draft)
        kept.append(draft)
    factors, prompt_per_case = measure_factors(kept, src)
    polyglot_runs = src.runs[AIDER] + src.runs[COMMUNITY]
    cards = [card for draft in kept if (card := _card(draft, measured, factors, prompt_per_case, polyglot_runs))]
    cards.append(embedded_card(measured))
    ids = [c.id for c in cards]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"two cards share the id(s) {duplicates}; add a names.NAME_ALIASES entry")
    return sorted(cards, key=lambda c: c.id), fits, factors


def measure_factors(drafts: list[Draft], src: Sources) -> tuple[costs.Factors, float | None]:
    """The output-token factor table over the scored, routed cards (costs.py)."""
    prompt_per_case = costs.prompt_tokens_per_case(src.runs[AIDER] + src.runs[COMMUNITY])
    usages = [u for d in drafts if d.score and not all(r.route.is_local for r in d.routes)
              and (u := _usage(d, prompt_per_case))]
    return costs.Factors.measure(usages, prompt_per_case), prompt_per_case


def catalog_document(src: Sources, as_of: str | None = None) -> dict[str, Any]:
    # Our own measurement's date says nothing about prices or deprecations: public sources only.
    as_of = as_of or max(date for name, date in src.dates.items() if name != "measured-locally")
    cards, fits, factors = build_cards(src, as_of)
    return {
        "schema": SCHEMA,
        "as_of": as_of,
        "sources": src.dates,
        "fits": {name: fit.as_dict() for name, fit in sorted(fits.items())},
        "output_token_factors": factors.as_dict(),
        "models": [card.model_dump(mode="json", exclude_defaults=False) for card in cards],
    }


def render(document: dict[str, Any]) -> str:
    """Stable bytes: sorted keys, capabilities sorted, two-space indent, trailing newline."""
    for model in document["models"]:
        model["capabilities"] = sorted(model["capabilities"])
        # Optional route fields are written only when set (a route without a long-context tier, ...).
        model["routes"] = [{k: v for k, v in route.items() if v is not None} for route in model["routes"]]
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def build(sources: Path = BUNDLED_SOURCES, out: Path = BUNDLED_CATALOG, as_of: str | None = None) -> dict[str, Any]:
    document = catalog_document(read_sources(sources), as_of)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(document), encoding="utf-8")
    return document
