"""One calibration run: a model pinned through codefloor's own router, exercises in parallel,
results kept per exercise (resumable), a budget, progress, and the score written for the catalog.

Pinning: the router is built on a catalog that holds only the model being measured (an unscored
card enters with a placeholder score of 0 and a floor of 0), so the selection engine can choose
nothing else; fallbacks can only be the same model's other routes. Nothing in selection changes.

Results live in `<data dir>/calibrate/<model>/<setting>/<language>__<exercise>.json`, where the
setting (routes, reasoning effort, model file, max output tokens, protocol) is hashed into the
directory name: a run with another setting starts afresh; the same one resumes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from codefloor.calibrate import exercises as ex
from codefloor.calibrate.protocol import Ask, Outcome, Reply, attempt_exercise, first_prompt
from codefloor.calibrate.runners import RUNNERS
from codefloor.calibrate.scores import wilson_interval, write_calibration
from codefloor.basics import estimate_tokens
from codefloor.errors import NothingEligible
from codefloor.errors import SetupError

PROTOCOL_VERSION = "aider-polyglot-whole-2tries-v1"
# Output tokens per exercise when nothing is measured yet: the median completion tokens per case
# of the 23 Aider polyglot leaderboard runs that report them (2025, reasoning included).
DEFAULT_OUTPUT_TOKENS_PER_TASK = 5493
DEFAULT_SECONDS_PER_TASK = 60.0  # until this run has measured its own
SECOND_TRY_SHARE = 0.8  # share of exercises that need the second try (a guess for the estimate)
CALIBRATE_TOTAL_S = 1800.0  # one answer, fallbacks (the model's own routes) included
COOLDOWN_WAITS_S = (2.0, 10.0, 30.0, 60.0)  # waits for a cooling-down route before an exercise gives up


class CalibrateError(SetupError):
    """The model cannot be calibrated (unknown, unreachable, bad option): the message says what to do."""


@dataclass(frozen=True)
class Target:
    model_id: str
    card: object  # ModelCard
    router: object  # Router, pinned
    setting: str  # human-readable
    setting_key: str  # short hash for the results directory
    max_tokens: int  # per answer, at most the card's max output


@dataclass
class Plan:
    target_model: str
    exercises: list  # Exercise, still to run
    done: dict[str, dict]  # exercise key -> stored outcome (resumed)
    skipped_languages: dict[str, str]
    skipped_exercises: dict[str, str]
    estimated_cost_usd: float
    estimated_seconds: float
    price_note: str


@dataclass
class Progress:
    total: int
    done: int = 0
    passed: int = 0
    spent_usd: float = 0.0
    started: float = field(default_factory=time.monotonic)
    seconds_per_task: float = DEFAULT_SECONDS_PER_TASK
    jobs: int = 1

    def left_s(self, remaining: int) -> float:
        return remaining * self.seconds_per_task / max(1, self.jobs)


def results_dir(model_id: str, setting_key: str, env: Mapping[str, str] | None = None) -> Path:
    from codefloor.config import data_dir

    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)
    return data_dir(env) / "calibrate" / safe / setting_key


def pinned_target(model_id: str, *, max_tokens: int, env: Mapping[str, str] | None = None) -> Target:
    """The router for exactly this model (raises CalibrateError with what to do); answers are capped
    at max_tokens and at the card's max output."""
    import os

    from codefloor.availability import probe, reachable_cards
    from codefloor.catalog.load import load_catalog
    from codefloor.config import embedded_model_path, load_user_config
    from codefloor.router import Router

    env = dict(os.environ if env is None else env)
    config = load_user_config(env)
    catalog = load_catalog(config, env=env)
    card = catalog.get(model_id)
    if card is None:
        close = sorted(c.id for c in catalog.cards if model_id.lower() in c.id.lower())[:5]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise CalibrateError(
            f"model '{model_id}' is not in the catalog{hint}; `codefloor models --all` lists ids, and a model of "
            f"your own can be added in the user config: [[models]] id = \"{model_id}\" with routes = "
            f"[{{ provider = \"ollama\", model_name = \"...\" }}]")
    reach = probe(config, env)
    reachable = reachable_cards((card,), reach)[0]
    routes = [r for r in reachable.routes if r.provider in reach.providers]
    if not routes:
        providers = ", ".join(sorted({r.provider for r in card.routes}))
        raise CalibrateError(f"model '{model_id}' has no reachable route: it is served by {providers}; set that "
                             "provider's key (e.g. OPENAI_API_KEY), start Ollama with the model pulled, or install "
                             "codefloor[local] for the embedded model")
    pinned = reachable.model_copy(update={"routes": tuple(routes)})
    if pinned.coding_score is None:  # unscored cards are not in a pool; this one must be
        pinned = pinned.model_copy(update={"coding_score": 0.0})
    max_tokens = min(max_tokens, card.max_output_tokens)
    router = Router(dataclasses.replace(catalog, cards=(pinned,)), config, reach.providers, env=env)
    parts = [f"route {', '.join(r.key for r in routes)}"]
    if card.reasoning_effort:
        parts.append(f"reasoning effort {card.reasoning_effort}")
    if any(r.provider == "embedded" for r in routes):
        path = embedded_model_path(config)
        parts.append(f"model file {path.name if path else '?'} (n_ctx {config.embedded.n_ctx})")
    parts.append(f"max {max_tokens} output tokens")
    setting = "; ".join(parts)
    key = hashlib.sha256(f"{PROTOCOL_VERSION}|{setting}".encode()).hexdigest()[:12]
    return Target(model_id, pinned, router, setting, key, max_tokens)


def router_ask(target: Target, max_tokens: int) -> Ask:
    """The model as protocol.Ask: one routed chat request per answer, pinned to the target."""
    from codefloor.providers.types import ChatRequest, Message
    from codefloor.selection import Preferences, Request, TaskKind
    from codefloor.router import Deadlines

    prefs = Preferences(min_coding_score=0.0)

    # One exercise's answer may be long and a local model slow: the action's first-byte and stall
    # deadlines hold, the total is CALIBRATE_TOTAL_S (an editor's 180 s would cut whole-file answers).
    action = Deadlines.for_task(target.router.config.routing, "action")
    deadlines = dataclasses.replace(action, total_s=max(action.total_s, CALIBRATE_TOTAL_S),
                                    total_from="codefloor calibrate's per-answer limit")

    async def ask(messages: list[tuple[str, str]]) -> Reply:
        chars = sum(len(text) for _, text in messages)
        generation = ChatRequest(messages=tuple(Message(role, text) for role, text in messages),
                                 max_tokens=max_tokens, temperature=0.0)
        request = Request(task=TaskKind.ACTION, input_tokens=estimate_tokens(chars) + 16,
                          output_tokens=max_tokens)
        for pause in (*COOLDOWN_WAITS_S, None):
            try:
                result = await target.router.run(generation, request, prefs, folder="codefloor-calibrate",
                                                 deadlines=deadlines)
                return Reply(result.text, result.input_tokens, result.output_tokens, result.cost_usd)
            except NothingEligible:
                # The model's only routes sit out a cooldown after an earlier exercise's failure (or a
                # 429's Retry-After): wait for them rather than fail this exercise for another's sake.
                if pause is None:
                    raise
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    return ask


def plan(target_model: str, card, languages: tuple[str, ...] | None, limit: int | None, store: Path,
         max_tokens: int) -> Plan:
    available = {lang: why for lang, why in ((l, RUNNERS[l].problem()) for l in (languages or ex.LANGUAGES))}
    skipped_languages = {lang: why for lang, why in available.items() if why}
    runnable = tuple(lang for lang, why in available.items() if not why)
    skipped_exercises: dict[str, str] = {}
    chosen = []
    for exercise in ex.select(runnable, None):
        why = RUNNERS[exercise.language].exercise_problem(exercise)
        if why:
            skipped_exercises[exercise.key] = why
        else:
            chosen.append(exercise)
    chosen = ex.select(runnable, limit, tuple(chosen)) if limit is not None else chosen
    done = {e.key: r for e in chosen if (r := _stored(store, e.key)) is not None}
    todo = [e for e in chosen if e.key not in done]
    cost, note = _estimate_cost(card, todo, done, max_tokens)
    seconds = _seconds_per_task(done) * len(todo)
    return Plan(target_model, todo, done, skipped_languages, skipped_exercises, cost, seconds, note)


def _estimate_cost(card, todo: list, done: dict[str, dict], max_tokens: int) -> tuple[float, str]:
    route = card.routes[0]
    if done:  # this run's own measured tokens per exercise
        n = len(done)
        inp = sum(r["input_tokens"] for r in done.values()) / n
        out = sum(r["output_tokens"] for r in done.values()) / n
        basis = f"{inp:,.0f} in / {out:,.0f} out tokens per exercise, measured on the {n} done"
        per_input = [inp] * len(todo)
    else:
        per_input = [estimate_tokens(len(first_prompt(e))) * (1 + 1.5 * SECOND_TRY_SHARE) for e in todo]
        out = min(DEFAULT_OUTPUT_TOKENS_PER_TASK, max_tokens * (1 + SECOND_TRY_SHARE))
        basis = (f"prompt sizes of these exercises and {out:,.0f} output tokens per exercise (median of Aider's "
                 f"published runs, capped by --max-tokens)")
    cost = sum(per_input) * route.input_price_per_mtok / 1e6 + out * len(todo) * route.output_price_per_mtok / 1e6
    price = (f"{route.key} at ${route.input_price_per_mtok:g} in / ${route.output_price_per_mtok:g} out per "
             f"million tokens (catalog)")
    return cost, f"{price}; {basis}"


def _seconds_per_task(done: dict[str, dict]) -> float:
    if not done:
        return DEFAULT_SECONDS_PER_TASK
    return sum(r.get("seconds", 0.0) for r in done.values()) / len(done)


def _stored(store: Path, key: str) -> dict | None:
    path = store / (key.replace("/", "__") + ".json")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("passed"), bool) else None


def _store(store: Path, outcome: Outcome) -> None:
    store.mkdir(parents=True, exist_ok=True)
    path = store / (outcome.exercise.replace("/", "__") + ".json")
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(outcome.to_json(), indent=1), encoding="utf-8")
    partial.replace(path)


async def run_plan(the_plan: Plan, ask: Ask, store: Path, *, jobs: int, budget_usd: float | None,
                   on_progress: Callable[[Progress, Outcome], None] | None = None) -> tuple[Progress, bool]:
    """Run the plan's exercises, `jobs` at a time. Returns (progress, stopped_at_budget)."""
    done = the_plan.done
    progress = Progress(total=len(the_plan.exercises) + len(done), done=len(done),
                        passed=sum(1 for r in done.values() if r["passed"]), jobs=jobs,
                        seconds_per_task=_seconds_per_task(done))
    queue = list(the_plan.exercises)
    per_task = the_plan.estimated_cost_usd / max(1, len(queue))
    state = {"stopped": False, "in_flight": 0}
    finished_seconds: list[float] = [r.get("seconds", 0.0) for r in done.values()]

    async def worker() -> None:
        while queue and not state["stopped"]:
            if budget_usd is not None and progress.spent_usd + per_task * (state["in_flight"] + 1) > budget_usd:
                state["stopped"] = True
                return
            exercise = queue.pop(0)
            state["in_flight"] += 1
            try:
                outcome = await attempt_exercise(exercise, ask)
            finally:
                state["in_flight"] -= 1
            if outcome.error and outcome.error.startswith("BudgetExceeded"):
                state["stopped"] = True  # the user's daily budget: not the model's failure, keep it unrun
                queue.insert(0, exercise)
                return
            _store(store, outcome)
            progress.done += 1
            progress.passed += outcome.passed
            progress.spent_usd += outcome.cost_usd
            finished_seconds.append(outcome.seconds)
            progress.seconds_per_task = sum(finished_seconds) / len(finished_seconds)
            if on_progress:
                on_progress(progress, outcome)

    await asyncio.gather(*(worker() for _ in range(max(1, jobs))))
    return progress, state["stopped"]


def summary(target: Target, the_plan: Plan, store: Path) -> dict:
    """The calibration record over every exercise stored for this model + setting."""
    results = {}
    for path in sorted(store.glob("*.json")):
        record = _stored(store, path.stem.replace("__", "/", 1))
        if record is not None:
            results[record["exercise"]] = record
    languages: dict[str, dict[str, int]] = {}
    for key, record in sorted(results.items()):
        lang = key.split("/", 1)[0]
        entry = languages.setdefault(lang, {"passed": 0, "attempted": 0})
        entry["attempted"] += 1
        entry["passed"] += int(record["passed"])
    passed = sum(v["passed"] for v in languages.values())
    attempted = sum(v["attempted"] for v in languages.values())
    score = round(100.0 * passed / attempted, 1) if attempted else 0.0
    return {
        "model": target.model_id,
        "score": score,
        "passed": passed,
        "attempted": attempted,
        "languages": languages,
        "cost_usd": round(sum(r.get("cost_usd", 0.0) for r in results.values()), 6),
        "skipped_languages": the_plan.skipped_languages,
        "skipped_exercises": the_plan.skipped_exercises,
        "subset": attempted < ex.TOTAL_EXERCISES,
        "exercises_total": ex.TOTAL_EXERCISES,
        "interval95": list(wilson_interval(passed, attempted)),
        "date": dt.datetime.now(dt.timezone.utc).date().isoformat(),
        "setting": target.setting,
        "protocol": PROTOCOL_VERSION,
        "exercises_source": f"Aider-AI/polyglot-benchmark@{ex.SOURCE_COMMIT}",
        "results_dir": str(store),
        "first_try_passed": sum(1 for r in results.values() if r.get("tests_passed_on") == 1),
        "well_formed_answers": sum(sum(r.get("well_formed", [])) for r in results.values()),
        "answers": sum(len(r.get("well_formed", [])) for r in results.values()),
    }


def record_score(record: dict, env: Mapping[str, str] | None = None) -> Path | None:
    """Write the record as the model's measured score (not when nothing was attempted)."""
    if record["attempted"] == 0:
        return None
    from codefloor.calibrate.scores import calibrations_path

    return write_calibration(record, calibrations_path(env))
