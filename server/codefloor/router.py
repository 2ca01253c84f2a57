"""Routed execution: decide -> attempt -> fall back -> cool down -> record.

The selection engine (pure) says which model should serve a request and which fallbacks may
replace it; this module makes the request happen and keeps the state the engine must not hold:

- cooldowns: a route that failed with a retryable error sits out for Retry-After seconds (or an
  exponential default backoff) measured on the injected clock, and recovers after it;
- marked routes: an auth failure takes the provider's routes out until the Router is rebuilt
  (restart or config change), because every request would fail the same way;
- the daily budget: spend today plus what attempts in flight CAN cost (max_tokens at the route's
  output price), both in the ledger, so every process using it counts the others' reservations
  (ledger.reserve). A paid attempt whose reservation cannot be written is refused before anything
  is sent: an attempt that cannot be recorded is not paid for.

One event loop: run(), decide(), health() and explain() are all called on the caller's loop (the
language server's, or `codefloor ask`'s); the state above is plain dicts, touched between awaits.

Errors: a retryable ProviderError cools the route down and moves to the next fallback; AuthError
marks the provider and moves on (another provider's key may work); ModelNotFound (404: not
pulled in Ollama, retired upstream) marks that route and moves on; ContextTooLong moves on without
a cooldown (that route's real window is smaller than its card says); any other BadRequest stops
with AllRoutesFailed, since every model would reject the same request.

Fallbacks only ever come from the Decision, so a fallback never goes below the floor. A stream
that breaks mid-way fails that attempt; its partial text never reaches the result (on_text may
have shown it live: callers say so, see cli/ask.py). Cancellation is never swallowed: the
attempt is recorded as "cancelled" and the upstream stream is closed before CancelledError goes on.

Deadlines (Deadlines, [routing] <task>_*_s): an attempt whose first chunk does not come within
first_byte_s, or whose next chunk does not come within stall_s, fails as ProviderTimeout (a
retryable failure: cooldown, next fallback); the whole request, fallbacks included, ends at
total_s with DeadlineExceeded, the attempt in flight recorded. Each step is reported through
on_event as one line ("gpt-5-mini: no answer in 30 s ([routing] action_first_byte_s), trying o3").
The embedded route has no first-byte deadline: its first chunk waits for the model to load (and,
the first time, to download); its stall and total deadlines hold.

Completions and latency (latency.py): every completion attempt's time to its first useful chunk and
to its end is learned per route (and kept in the ledger, replayed at start); a completion decision
under a folder budget (Preferences.max_latency_ms, setting completion.maxLatencyMs) hands the engine
the routes that miss it as Health.slow_routes, and lets one due for a retry back in. A completion is
never sent asking a model to reason beyond a low effort (the card's low-effort setting, or none).
Attempt times come from the injected clock.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import math
import os
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass

from codefloor import latency
from codefloor.availability import build_pool, probe, reachable_cards
from codefloor.catalog.types import LOW_EFFORT_SETTINGS
from codefloor.basics import estimate_tokens
from codefloor.catalog.load import Catalog, CatalogFollower
from codefloor.config import RoutingConfig, UserConfig, load_user_config
from codefloor.ledger import CostSource, Ledger, LedgerError
from codefloor.providers import ProviderSet
from codefloor.providers.errors import (
    AuthError,
    ContextTooLong,
    FimNotSupported,
    MalformedResponse,
    ModelNotFound,
    ProviderError,
    ProviderTimeout,
    StreamInterrupted,
    StreamRedactor,
)
from codefloor.providers.fim import stream_fim_via_chat
from codefloor.providers.types import ChatRequest, FimRequest, Usage, sendable
from codefloor.errors import AllRoutesFailed, BudgetExceeded, DeadlineExceeded, LedgerUnwritable
from codefloor.results import Attempt, RoutedResult
from codefloor.selection import Candidate, Decision, Health, NoEligibleModel, Pool, Preferences, Request, TaskKind
from codefloor.selection.eligibility import is_free

# Default cooldown after a retryable failure without Retry-After: 10 s, doubling per consecutive
# failure of the same route, at most 5 minutes ([routing] cooldown_s / max_cooldown_s override).
BACKOFF_BASE_S: float = RoutingConfig.model_fields["cooldown_s"].default
BACKOFF_MAX_S: float = RoutingConfig.model_fields["max_cooldown_s"].default
# Today's spend is read from the ledger at most this often (other processes -- `codefloor ask`, a
# second editor -- write it too); this router's own attempts are added as they are recorded.
SPEND_REFRESH_S = 5.0
_log = logging.getLogger(__name__)


@dataclass
class _Cooldown:
    until: float
    failures: int


@dataclass(slots=True)
class _Timing:
    """One attempt's clock times: its start, and its first useful chunk (None: none yet). `cold`: the
    provider loaded the model during the attempt (the embedded route's first request), so its times
    are the load's, not the route's latency: they are not learned and no first_token_ms is recorded."""

    started: float
    first: float | None = None
    cold: bool = False


@dataclass(frozen=True, slots=True)
class _Outcome:
    text: str
    usage: Usage | None


@dataclass(frozen=True, slots=True)
class Deadlines:
    """How long one routed request may wait; see the module docstring. `total_from` names the
    setting total_s came from, for the message when it runs out."""

    first_byte_s: float
    stall_s: float
    total_s: float
    task: str
    total_from: str

    @classmethod
    def for_task(cls, routing: RoutingConfig, task: str, total_s: float | None = None) -> "Deadlines":
        """[routing] <task>_first_byte_s / _stall_s / _total_s; `total_s` (ask --timeout) replaces the last."""
        setting = f"[routing] {task}_total_s"
        return cls(getattr(routing, f"{task}_first_byte_s"), getattr(routing, f"{task}_stall_s"),
                   total_s if total_s is not None else getattr(routing, f"{task}_total_s"), task,
                   "--timeout" if total_s is not None else setting)


@dataclass(frozen=True, slots=True)
class _Waits:
    """One attempt's waits: for the first chunk (None = no limit), between chunks, and the loop
    time the whole request ends at."""

    first_s: float | None
    stall_s: float
    ends_at: float
    deadlines: Deadlines


class _OutOfTime(Exception):
    """The request's total deadline ran out during an attempt."""


class Router:
    def __init__(
        self,
        catalog: Catalog,
        config: UserConfig,
        available: frozenset[str],
        *,
        env: Mapping[str, str] | None = None,
        providers: ProviderSet | None = None,
        ledger: Ledger | None = None,
        clock: Callable[[], float] = time.monotonic,
        catalog_now: Callable[[], Catalog] | None = None,
    ) -> None:
        self.catalog = catalog
        self.config = config
        self.available = available
        self._env = dict(os.environ if env is None else env)
        self._providers = providers if providers is not None else ProviderSet(config, self._env)
        self._ledger = ledger if ledger is not None else Ledger.open_default(self._env)
        self._clock = clock
        self._catalog_now = catalog_now  # the catalog in use now (catalog.load.CatalogFollower.current)
        self._pool = build_pool(catalog.cards, config, available)
        self._cooldowns: dict[str, _Cooldown] = {}
        self._marked: dict[str, str] = {}  # route key -> why (auth failures, model not served)
        self._paid_in_flight = 0  # this router's paid attempts holding a reservation in the ledger
        self._budget_waiters: list[asyncio.Future[None]] = []  # runs waiting for reservations to settle
        self._spend: tuple[dt.date, float, float] | None = None  # (UTC day, USD, clock when read)
        self.latency = latency.LatencyBook(clock)
        self._replay_latencies()

    @classmethod
    def from_environment(
        cls,
        *,
        env: Mapping[str, str] | None = None,
        all_providers: bool = False,
        probe_ollama: bool = True,
        ledger: Ledger | None = None,
    ) -> "Router":
        """Load the user config, the catalog and what is reachable. Raises ConfigError / CatalogError."""
        env = dict(os.environ if env is None else env)
        config = load_user_config(env)
        reach = probe(config, env, probe_ollama=probe_ollama, all_providers=all_providers)
        follower = CatalogFollower(config, env, lambda c: dataclasses.replace(c, cards=reachable_cards(c.cards, reach)))
        return cls(follower.current(), config, reach.providers, env=env, ledger=ledger, catalog_now=follower.current)

    @property
    def pool(self) -> Pool:
        """The pool of the catalog in use now. The ONE place a newer catalog is taken up: between
        requests (decide/explain), so a request already running keeps its Decision -- chosen route
        and fallbacks -- from the catalog it started with."""
        if self._catalog_now is not None:
            catalog = self._catalog_now()  # one os.stat; the same object while the file is unchanged
            if catalog is not self.catalog:
                self._pool, self.catalog = build_pool(catalog.cards, self.config, self.available), catalog
        return self._pool

    # -- health -----------------------------------------------------------------------------

    def health(self, request: Request | None = None, prefs: Preferences | None = None, *, deciding: bool = False) -> Health:
        """Cooldowns, marks and budget; for a completion under a latency budget, the routes too slow
        for it (`deciding`: this decision may try a route due for a retry, see latency.py)."""
        slow: dict[str, str] = {}
        if request is not None and request.task is TaskKind.COMPLETION and prefs is not None and prefs.max_latency_ms:
            slow = self.latency.slow_routes(self.pool.candidates, prefs.max_latency_ms, take_retries=deciding)
        return Health(unavailable_routes=self._unavailable_routes(), paid_routes_blocked=self._budget_reached(),
                      slow_routes=slow)

    def _replay_latencies(self) -> None:
        """Learn from the ledger's recent completion attempts (what earlier processes measured)."""
        try:
            rows = self._ledger.latencies(TaskKind.COMPLETION.value, latency.REPLAYED_ATTEMPTS)
        except LedgerError as exc:
            _log.warning("%s", exc)
            return
        self.latency.replay(rows, time.time())

    def _unavailable_routes(self) -> frozenset[str]:
        now = self._clock()
        return frozenset({key for key, c in self._cooldowns.items() if c.until > now} | set(self._marked))

    def _budget_reached(self) -> bool:
        """Today's spend has reached the daily budget: paid routes stop. (What is in flight only
        delays paid attempts, see run(): it may cost far less than reserved.)"""
        limit = self.config.budget.daily_usd
        return limit is not None and self._spent_today() >= limit

    def _reserve(self, candidate: Candidate, cost_cap: float, folder: str, request: Request) -> int | None:
        """The ledger row reserving what this paid attempt can cost, or None when it does not fit
        today's budget next to every process's reservations. Raises LedgerError."""
        return self._ledger.reserve(cost_usd=cost_cap, limit_usd=self.config.budget.daily_usd, model=candidate.card.id,
                                    route=candidate.route.key, provider=candidate.route.provider, folder=folder,
                                    task=request.task.value)

    def _fits_once_settled(self, cost_cap: float) -> bool:
        """Only this router's own attempts in flight stand in the way: they may cost far less than
        reserved, so waiting for one to settle may let this one through. (Other processes'
        reservations are not waited for: we would not hear when they settle.)"""
        limit = self.config.budget.daily_usd
        if limit is None or self._paid_in_flight == 0:
            return False
        return self._ledger.spend_today() + cost_cap <= limit

    async def _reservations_change(self) -> None:
        """Wait until an attempt in flight settles and releases its reservation."""
        waiter = asyncio.get_running_loop().create_future()
        self._budget_waiters.append(waiter)
        await waiter

    def _release(self) -> None:
        self._paid_in_flight -= 1
        waiters, self._budget_waiters = self._budget_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _budget_message(self, expected_usd: float | None = None) -> str:
        limit = self.config.budget.daily_usd or 0.0
        spent = self._spent_today()
        in_flight = max(0.0, self._ledger.spend_today(pending=True) - self._ledger.spend_today())
        advice = "raise [budget] daily_usd in the user config, or lower minCodingScore to a local model's score"
        if expected_usd is not None and spent < limit:  # some is left, but not enough for this request
            return (
                f"daily budget ${limit:.2f} nearly used up: ${spent:.4f} spent today UTC, ${in_flight:.4f} reserved in flight, "
                f"and this request may cost up to ${expected_usd:.4f}; {advice}"
            )
        return (
            f"daily budget ${limit:.2f} used up (${spent:.4f} spent today UTC, ${in_flight:.4f} reserved in flight); "
            f"paid models resume tomorrow (UTC): {advice}"
        )

    def _spent_today(self) -> float:
        day, now = dt.datetime.now(dt.UTC).date(), self._clock()
        if self._spend is None or self._spend[0] != day or now - self._spend[2] >= SPEND_REFRESH_S:
            self._spend = (day, self._ledger.spend_today(day), now)
        return self._spend[1]

    def _cool_down(self, route_key: str, retry_after: float | None) -> None:
        routing = self.config.routing
        previous = self._cooldowns.get(route_key)
        failures = previous.failures + 1 if previous else 1
        pause = retry_after if retry_after is not None else min(routing.cooldown_s * 2 ** (failures - 1), routing.max_cooldown_s)
        self._cooldowns[route_key] = _Cooldown(self._clock() + max(pause, 0.0), failures)

    def _recovered(self, route_key: str) -> None:
        self._cooldowns.pop(route_key, None)

    def _mark(self, route_keys: list[str], why: str) -> None:
        for key in route_keys:
            self._marked[key] = why

    def _mark_provider(self, provider: str, why: str) -> None:
        self._mark([route.key for card in self.catalog.cards for route in card.routes if route.provider == provider], why)

    # -- decisions --------------------------------------------------------------------------

    def decide(self, request: Request, prefs: Preferences) -> Decision:
        """The pool's choice under current health. Raises NothingEligible, or BudgetExceeded when
        only the budget stands between the request and a paid model."""
        health = self.health(request, prefs, deciding=True)
        try:
            return _decided(self.pool.decide(request, prefs, health))
        except NoEligibleModel as exc:
            if health.paid_routes_blocked:
                try:  # would a paid model serve it without the budget? Then the budget is the reason to say
                    _decided(self.pool.decide(request, prefs, Health(health.unavailable_routes, False, health.slow_routes)))
                except NoEligibleModel as without_budget:
                    exc = without_budget  # not even then: say why, as if there were no budget
                else:
                    raise BudgetExceeded(self._budget_message()) from None
            raise exc from None

    def decide_keeping(self, request: Request, prefs: Preferences, listed: str | None) -> tuple[Decision, str | None]:
        """decide(), except that `listed` -- the model an action's title named when it was listed --
        keeps serving while it is still eligible. When it cannot, the note says which model serves
        instead and why (for the progress line and the result)."""
        decision = self.decide(request, prefs)
        if not listed or decision.chosen.card.id == listed:
            return decision, None
        kept = next((c for c in decision.fallbacks if c.card.id == listed), None)
        view = None
        if kept is None:
            view = next((v for v in self.explain(request, prefs) if v.card.id == listed), None)
            if view is not None and view.eligible:
                kept = Candidate(view.card, view.route)
        if kept is not None:
            others = tuple(c for c in (decision.chosen, *decision.fallbacks) if c.route.key != kept.route.key)
            reason = f"named when the action was listed and still eligible (the engine would now pick {decision.chosen.card.id})"
            kept_decision = dataclasses.replace(decision, chosen=kept, fallbacks=others[: len(decision.fallbacks)], reason=reason,
                                                expected_cost_usd=kept.expected_cost_usd(request))
            return kept_decision, None
        why = "; ".join(view.why_not) if view is not None else "not in the catalog any more"
        return decision, f"{listed} (listed) cannot serve now ({why}), so {decision.chosen.card.id} serves: {decision.reason}"

    def explain(self, request: Request, prefs: Preferences) -> list:
        return self.pool.explain(request, prefs, self.health(request, prefs))

    # -- execution --------------------------------------------------------------------------

    async def run(
        self,
        generation: ChatRequest | FimRequest,
        request: Request,
        prefs: Preferences,
        *,
        folder: str = "",
        decision: Decision | None = None,
        on_attempt: Callable[[Candidate], None] | None = None,
        on_text: Callable[[str], None] | None = None,
        on_event: Callable[[str], None] | None = None,
        check: Callable[[str], str | None] | None = None,
        deadlines: Deadlines | None = None,
    ) -> RoutedResult:
        """`check(answer)` returns why an answer must not be used (None = fine): such an answer is a
        failed attempt of that route (recorded, billed, no cooldown) and the next fallback is tried.
        `deadlines` default to the task's ([routing]); `on_event(line)` hears each fallback and why."""
        decision = decision or self.decide(request, prefs)
        generation = sendable(generation)  # a lone surrogate from the editor is ours to fix, not a route's failure
        deadlines = deadlines or Deadlines.for_task(self.config.routing, request.task.value)
        loop = asyncio.get_running_loop()
        ends_at = loop.time() + deadlines.total_s
        started = time.perf_counter()
        attempts: list[Attempt] = []
        failed_last: str | None = None  # "model: why" of the attempt that just failed, for on_event

        def out_of_time() -> DeadlineExceeded:
            tried = f" ({_tried(attempts)})" if attempts else ""
            return DeadlineExceeded(
                f"no answer within {deadlines.total_s:g} s ({deadlines.total_from}, fallbacks included){tried}; "
                f"nothing more is sent -- raise {deadlines.total_from} or try again later", tuple(attempts))

        while True:
            skipped_for_budget = settling_may_fit = False
            unrecordable: LedgerError | None = None
            cheapest_skipped = math.inf
            for candidate in (decision.chosen, *decision.fallbacks):
                if candidate.route.key in self._unavailable_routes():
                    continue  # failed (or auth-marked) during this very request or a concurrent one
                if loop.time() >= ends_at:
                    raise out_of_time()
                paid = not is_free(candidate)
                reservation = None
                if paid:
                    cost_cap = _most_it_can_cost(candidate, request, generation)
                    try:
                        reservation = self._reserve(candidate, cost_cap, folder, request)
                    except LedgerError as exc:
                        unrecordable = exc  # a free fallback may still serve; nothing paid is sent
                        continue
                    if reservation is None:
                        skipped_for_budget = True
                        cheapest_skipped = min(cheapest_skipped, cost_cap)
                        settling_may_fit |= self._fits_once_settled(cost_cap)
                        continue
                    self._paid_in_flight += 1
                if on_attempt:
                    on_attempt(candidate)
                if on_event and failed_last:
                    on_event(f"{failed_last}, trying {candidate.card.id}")
                waits = _Waits(None if candidate.route.provider == "embedded" else deadlines.first_byte_s,
                               deadlines.stall_s, ends_at, deadlines)
                timing = _Timing(self._clock())
                try:
                    outcome = await self._attempt(candidate, generation, on_text, waits, timing, request.task)
                except asyncio.CancelledError:
                    attempts.append(self._record(candidate, request, folder, timing, "cancelled", None, "", None,
                                                 reservation))
                    raise
                except _OutOfTime:  # not the route's fault: no cooldown
                    error = ProviderTimeout(f"still waiting for the answer when the request's {deadlines.total_s:g} s "
                                            f"({deadlines.total_from}) ran out", provider=candidate.route.provider)
                    attempts.append(self._record(candidate, request, folder, timing, "error", None, "", error,
                                                 reservation))
                    raise out_of_time() from None
                except ProviderError as error:
                    attempts.append(self._record(candidate, request, folder, timing, "error", None, "", error,
                                                 reservation))
                    failed_last = f"{candidate.card.id}: {error.message}"
                    if isinstance(error, AuthError):
                        self._mark_provider(candidate.route.provider, error.message)
                        continue  # another provider's key may work
                    if isinstance(error, ModelNotFound):
                        self._mark([candidate.route.key], error.message)
                        continue  # the route cannot serve this model; other routes or models may
                    if isinstance(error, ContextTooLong):
                        continue  # this route's real window is smaller than its card says; a fallback may fit
                    if not error.retryable:
                        raise AllRoutesFailed(_failure_message(attempts), tuple(attempts)) from error
                    self._cool_down(candidate.route.key, getattr(error, "retry_after", None))
                    continue
                finally:
                    if paid:
                        self._release()
                self._recovered(candidate.route.key)
                rejected = check(outcome.text) if check is not None else None
                if rejected is not None:  # the route works; this answer does not: next fallback, no cooldown
                    error = MalformedResponse(f"answer rejected: {rejected}", provider=candidate.route.provider)
                    attempts.append(self._record(candidate, request, folder, timing, "error", outcome.usage,
                                                 outcome.text, error, reservation))
                    failed_last = f"{candidate.card.id}: {error.message}"
                    continue
                attempt = self._record(candidate, request, folder, timing, "ok", outcome.usage, outcome.text, None,
                                       reservation)
                attempts.append(attempt)
                return RoutedResult(
                    text=outcome.text,
                    decision=decision,
                    served_by=candidate,
                    attempts=tuple(attempts),
                    input_tokens=attempt.input_tokens,
                    output_tokens=attempt.output_tokens,
                    cost_usd=sum(a.cost_usd for a in attempts),
                    latency_ms=(time.perf_counter() - started) * 1000,
                )
            if not (skipped_for_budget and settling_may_fit and not attempts):
                break
            # Only other requests' reservations stand in the way, and they are estimates (often far
            # above what gets billed): wait for one to settle instead of refusing with money left.
            try:
                async with asyncio.timeout_at(ends_at):
                    await self._reservations_change()
            except TimeoutError:
                raise out_of_time() from None
        if unrecordable is not None and not attempts:
            raise LedgerUnwritable(f"nothing was sent to a paid model: {unrecordable}; an attempt that cannot be "
                                   "recorded is not paid for") from None
        if skipped_for_budget and not attempts:
            raise BudgetExceeded(self._budget_message(cheapest_skipped))
        raise AllRoutesFailed(_failure_message(attempts), tuple(attempts))

    async def _attempt(
        self, candidate: Candidate, generation: ChatRequest | FimRequest, on_text: Callable[[str], None] | None,
        waits: _Waits, timing: _Timing, task: TaskKind = TaskKind.ACTION,
    ) -> _Outcome:
        provider = self._providers.get(candidate.route.provider)
        timing.cold = not getattr(provider, "loaded", True)  # only the embedded provider loads a model itself
        model = candidate.route.model_name
        # Run the model at the setting its score was measured at (ROUTING.md: the score is the score of
        # the setting the adapter uses); a completion only ever at a low effort (the pool's completion
        # view carries it), never asking for long reasoning.
        effort = candidate.card.reasoning_effort
        if task is TaskKind.COMPLETION and candidate.card.score_setting not in LOW_EFFORT_SETTINGS:
            effort = None
        if isinstance(generation, FimRequest):
            if candidate.route.supports_fim:
                try:
                    return await _consume(provider.stream_fim(model, generation), on_text, waits, self._clock, timing)
                except FimNotSupported:
                    pass  # catalog said FIM, the adapter disagrees: ask for the middle by chat instead
            return await _consume(stream_fim_via_chat(provider, model, generation, effort), on_text, waits,
                                  self._clock, timing)
        if effort and generation.reasoning_effort is None:
            generation = dataclasses.replace(generation, reasoning_effort=effort)
        outcome = await _consume(provider.stream_chat(model, generation), on_text, waits, self._clock, timing)
        if not outcome.text.strip():
            # A finished chat answer with no text (an Anthropic message without content blocks) is
            # as useless as OpenAI's empty choices: fail the attempt so a fallback answers. (An empty
            # fill-in-the-middle answer can mean "nothing to insert" and stays a result.)
            raise MalformedResponse(f"{candidate.route.provider} answered with no text", provider=candidate.route.provider)
        return outcome

    def _record(
        self,
        candidate: Candidate,
        request: Request,
        folder: str,
        timing: _Timing,
        outcome: str,
        usage: Usage | None,
        text: str,
        error: ProviderError | None,
        reservation: int | None = None,
    ) -> Attempt:
        """The attempt, in the ledger; a completion's times also go to the latency book (an attempt
        that ended without its first token, timed out or cancelled, took at least that long)."""
        # A rejected answer (text, outcome "error") was delivered and billed like a good one.
        cost, source, tokens_in, tokens_out = _cost(candidate, request, usage, text, outcome == "ok" or bool(text))
        attempt = Attempt(
            model_id=candidate.card.id,
            route_key=candidate.route.key,
            provider=candidate.route.provider,
            outcome=outcome,  # type: ignore[arg-type]
            input_tokens=tokens_in,
            output_tokens=tokens_out,
            cost_usd=cost,
            latency_ms=(self._clock() - timing.started) * 1000,
            error_kind=type(error).__name__ if error else None,
            error=error.message if error else None,
            first_token_ms=None if timing.first is None or timing.cold else (timing.first - timing.started) * 1000,
        )
        if request.task is TaskKind.COMPLETION and not timing.cold:
            if attempt.first_token_ms is not None:
                self.latency.observe(attempt.route_key, first_ms=attempt.first_token_ms,
                                     total_ms=attempt.latency_ms if outcome == "ok" else None)
            elif outcome == "cancelled" or isinstance(error, ProviderTimeout):
                self.latency.observe(attempt.route_key, at_least_ms=attempt.latency_ms)
        try:
            self._ledger.record(attempt, folder=folder, task=request.task.value, cost_source=source, reservation=reservation)
        except LedgerError as exc:
            # The disk filled up during the call: the answer is paid for, so it is used. A paid
            # attempt's pending row stays, counting its reserved cost until RESERVATION_TTL_S.
            _log.warning("%s", exc)
        if self._spend is not None and self._spend[0] == dt.datetime.now(dt.UTC).date():
            self._spend = (self._spend[0], self._spend[1] + cost, self._spend[2])
        return attempt

    def usage_summary(self, since: dt.date | None = None) -> dict:
        return self._ledger.summary(since)

    @property
    def ledger(self) -> Ledger:
        """The ledger this router records to (completion_spend.py reads the completion figures from it)."""
        return self._ledger

    async def aclose(self) -> None:
        await self._providers.aclose()
        self._ledger.close()


def _decided(result: Decision | NoEligibleModel) -> Decision:
    if isinstance(result, NoEligibleModel):
        raise result
    return result


async def _next_chunk(chunks: AsyncIterator, wait_s: float | None, ends_at: float):
    """The next chunk within wait_s (None = no limit) and before ends_at. Raises TimeoutError
    (this wait ran out), _OutOfTime (the request's total did), StopAsyncIteration."""
    left = ends_at - asyncio.get_running_loop().time()
    total_binds = wait_s is None or left <= wait_s
    limit = asyncio.timeout(max(left, 0.0) if total_binds else wait_s)
    try:
        async with limit:
            return await anext(chunks)
    except TimeoutError:
        if not limit.expired():
            raise  # not our deadline's
        if total_binds:
            raise _OutOfTime from None
        raise


async def _consume(stream: AsyncIterator, on_text: Callable[[str], None] | None, waits: _Waits,
                   clock: Callable[[], float], timing: _Timing) -> _Outcome:
    """Read a stream to its finish marker within the waits; aclosing() closes the upstream on
    error, timeout or cancel. timing.first: when the first text (or the finish) arrived."""
    parts: list[str] = []
    usage: Usage | None = None
    finished = False
    redactor = StreamRedactor()  # an endpoint echoing a key must not get it into an edit or the terminal

    def emit(text: str) -> None:
        if text:
            parts.append(text)
            if on_text:
                on_text(text)

    task = waits.deadlines.task
    async with aclosing(stream) as chunks:  # type: ignore[type-var]
        first = True
        while True:
            try:
                chunk = await _next_chunk(chunks, waits.first_s if first else waits.stall_s, waits.ends_at)
            except StopAsyncIteration:
                break
            except TimeoutError:
                if first:
                    raise ProviderTimeout(f"no answer in {waits.first_s:g} s ([routing] {task}_first_byte_s)") from None
                raise ProviderTimeout(f"the answer stalled: nothing for {waits.stall_s:g} s mid-answer "
                                      f"([routing] {task}_stall_s)") from None
            first = False
            if timing.first is None and (chunk.text or chunk.finish_reason is not None):
                timing.first = clock()
            if chunk.usage is not None:
                usage = chunk.usage
            if chunk.text:
                emit(redactor.feed(chunk.text))
            if chunk.finish_reason is not None:
                finished = True
    if not finished:
        raise StreamInterrupted("the stream ended before the model finished")
    emit(redactor.flush())
    return _Outcome("".join(parts), usage)


def _cost(
    candidate: Candidate, request: Request, usage: Usage | None, text: str, complete: bool
) -> tuple[float, CostSource, int, int]:
    """Provider-reported cost if given, else tokens x the route's catalog price.

    Without reported usage, a completed attempt is charged for the estimated request tokens and
    its answer length; a failed one for nothing (we cannot know what was billed)."""
    if usage is not None:
        if usage.cost_usd is not None:
            return usage.cost_usd, "reported", usage.input_tokens, usage.output_tokens
        tokens_in, tokens_out = usage.input_tokens, usage.output_tokens
    elif complete:
        tokens_in, tokens_out = request.input_tokens, estimate_tokens(len(text))
    else:
        return 0.0, "catalog", 0, 0
    route = candidate.route
    cost = (tokens_in * route.input_price_per_mtok + tokens_out * route.output_price_per_mtok) / 1_000_000
    return cost, "catalog", tokens_in, tokens_out


def _most_it_can_cost(candidate: Candidate, request: Request, generation: ChatRequest | FimRequest) -> float:
    """What the budget reserves: the request's input and the whole max_tokens it asks for, at the
    route's prices (the expected 400 output tokens let 60 concurrent requests spend 2x the budget)."""
    route = candidate.route
    return (request.input_tokens * route.input_price_per_mtok + generation.max_tokens * route.output_price_per_mtok) / 1_000_000


def _failure_message(attempts: list[Attempt]) -> str:
    if not attempts:
        return "every eligible route is cooling down or unavailable; try again shortly"
    return f"no route could serve the request ({_tried(attempts)})"


def _tried(attempts: list[Attempt]) -> str:
    return "; ".join(f"{a.model_id} via {a.provider}: {a.error_kind}: {a.error}" for a in attempts)
