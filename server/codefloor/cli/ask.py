"""`codefloor ask "PROMPT"`: one routed generation, streamed to stdout.

stdout carries only the answer (so it can be piped); the closing line that names the model,
its score, the floor, the reason, tokens, cost and latency goes to stderr, like every note.
If an attempt breaks off mid-answer, the text it streamed stays on screen, so a marker line on
stdout says it is discarded and which fallback answers below. Exit status: 0 answered,
1 nothing answered (no model meets the floor, budget reached, every route failed, bad input).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from pathlib import Path

from codefloor.basics import estimate_tokens
from codefloor.cli.common import add_score_confidence, fail, folder_preferences, for_cli, prompt_arg, score_arg, seconds_arg, token_count_arg
from codefloor.errors import NothingEligible, RoutingError

SYSTEM_PROMPT = "You are a concise, expert programming assistant. Answer with working code where code is asked for."
KEY_HINT = (
    "to reach stronger models set a provider key (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY, "
    "OPENROUTER_API_KEY, DEEPSEEK_API_KEY, MISTRAL_API_KEY, XAI_API_KEY) or start Ollama"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ask",
        help="one-shot answer from the cheapest model meeting the floor",
        description="Send one prompt through the router and stream the answer to stdout. "
        "The line naming the model, score, floor, reason, tokens, cost and latency goes to stderr.",
    )
    parser.add_argument("prompt", type=prompt_arg, help="what to ask (not empty)")
    parser.add_argument("--file", action="append", default=[], metavar="F", help="include this file (repeatable)")
    parser.add_argument("--min-coding-score", type=score_arg, default=None, metavar="X",
                        help="the floor, 0-100 (default: the user config's defaults, else 50)")
    parser.add_argument("--policy", choices=("cheapest", "strongest", "balanced"), default=None)
    add_score_confidence(parser)
    parser.add_argument("--max-tokens", type=token_count_arg, default=1024, help="longest answer (default 1024)")
    parser.add_argument("--timeout", type=seconds_arg, default=None, metavar="S",
                        help="give up after S seconds in all, fallbacks included (default: [routing] action_total_s, 180)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of streaming")
    parser.add_argument("--all-providers", action="store_true",
                        help="pretend every provider is configured (explore routing; calls will fail without keys)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        user_text = _compose(args.prompt, args.file)
    except OSError as exc:
        return fail(f"cannot read --file {exc.filename}: {exc.strerror}")
    return asyncio.run(_ask(args, user_text))


def _compose(prompt: str, files: list[str]) -> str:
    parts = [prompt]
    for name in files:
        content = Path(name).read_text(encoding="utf-8", errors="replace")
        parts.append(f"File `{name}`:\n```\n{content}\n```")
    return "\n\n".join(parts)


async def _ask(args: argparse.Namespace, user_text: str) -> int:
    from codefloor.providers.types import ChatRequest, Message
    from codefloor.router import Deadlines, Router
    from codefloor.selection import Request, TaskKind

    router = Router.from_environment(all_providers=args.all_providers)
    try:
        prefs = folder_preferences(router.config, args)
        generation = ChatRequest(
            messages=(Message("system", SYSTEM_PROMPT), Message("user", user_text)),
            max_tokens=args.max_tokens,
        )
        request = Request(
            task=TaskKind.ACTION,
            input_tokens=estimate_tokens(len(SYSTEM_PROMPT) + len(user_text)) + 16,
            output_tokens=min(args.max_tokens, 500),
        )
        embedded_only = router.available <= {"embedded"}
        try:
            decision = router.decide(request, prefs)
        except NothingEligible as exc:
            message = _one_line(str(exc))
            if embedded_only and "API_KEY" not in message:
                message += f"; {KEY_HINT}"
            return _refuse(args, "no_eligible_model", message)
        except RoutingError as exc:
            return _refuse(args, type(exc).__name__, _one_line(str(exc)))
        if embedded_only and decision.chosen.route.provider == "embedded":
            print(f"codefloor: no provider key or Ollama found, so the embedded offline model answers: "
                  f"{decision.chosen.card.display_name}, coding score {decision.chosen.score:g}; {KEY_HINT}", file=sys.stderr)
        if decision.chosen.route.provider == "embedded":
            _say_if_fetching(router.config)
        stream = _Streamer(enabled=not args.json)
        deadlines = Deadlines.for_task(router.config.routing, request.task.value, args.timeout)
        try:
            result = await router.run(generation, request, prefs, folder=str(Path.cwd()), decision=decision,
                                      on_attempt=stream.attempt_started, on_text=stream.text, on_event=stream.event,
                                      deadlines=deadlines)
        except RoutingError as exc:  # DeadlineExceeded too: the attempt in flight is recorded
            stream.end_line()
            return _refuse(args, type(exc).__name__, _one_line(str(exc)))
        stream.end_line()
        served = result.served_by
        if args.json:
            print(json.dumps(_as_json(result, embedded_only), indent=2))
        print(
            f"codefloor: {served.card.id} via {served.route.provider} (coding score {served.score:g}, floor "
            f"{decision.floor:g}, {decision.policy.value}): {result.reason}"
            + (f"; {result.fallbacks_tried} fallback(s) used" if result.fallbacks_tried else "")
            + f" | {result.input_tokens} in / {result.output_tokens} out tokens | ${result.cost_usd:.6f}"
            f" | {result.latency_ms:.0f} ms",
            file=sys.stderr,
        )
        return 0
    finally:
        await router.aclose()


def _say_if_fetching(config) -> None:
    """The first use downloads the default model; say so rather than sit silent for it."""
    from codefloor.config import embedded_model_path
    from codefloor.embedded_model import SMOLLM2, model_dirs

    if not config.embedded.model_path and embedded_model_path(config) is None:
        print(f"codefloor: fetching the embedded model once ({SMOLLM2.size / 1e6:.0f} MB, {SMOLLM2.origin}) "
              f"into {model_dirs()[0]}", file=sys.stderr, flush=True)


class _Streamer:
    """Writes the live answer; marks text of an attempt that broke off as discarded."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.attempt_wrote = False
        self.at_line_start = True

    def attempt_started(self, candidate) -> None:
        if self.enabled and self.attempt_wrote:
            self.end_line()
            print(f"[codefloor: the answer above broke off and is discarded; {candidate.card.id} "
                  f"(coding score {candidate.score:g}) answers below]", flush=True)
        self.attempt_wrote = False

    def event(self, line: str) -> None:
        """What the router is doing while the user waits ("m: no answer in 30 s, trying n"), on stderr."""
        self.end_line()
        print(f"codefloor: {line}", file=sys.stderr, flush=True)

    def text(self, piece: str) -> None:
        if self.enabled and piece:
            sys.stdout.write(piece)
            sys.stdout.flush()
            self.attempt_wrote = True
            self.at_line_start = piece.endswith("\n")

    def end_line(self) -> None:
        if self.enabled and not self.at_line_start:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self.at_line_start = True


def _as_json(result, embedded_only: bool) -> dict:
    served, decision = result.served_by, result.decision
    return {
        "model": served.card.id,
        "route": served.route.key,
        "provider": served.route.provider,
        "coding_score": served.score,
        "score_source": served.card.score_source,
        "floor": decision.floor,
        "policy": decision.policy.value,
        "reason": result.reason,
        "text": result.text,
        "input_tokens": result.input_tokens,
        "output_tokens": result.output_tokens,
        "cost_usd": result.cost_usd,
        "latency_ms": round(result.latency_ms, 1),
        "embedded_only": embedded_only,
        "attempts": [asdict(a) for a in result.attempts],
    }


def _refuse(args: argparse.Namespace, kind: str, message: str) -> int:
    message = for_cli(message)
    if args.json:
        print(json.dumps({"error": kind, "message": message}))
    return fail(message)


def _one_line(text: str) -> str:
    return " ".join(text.split())
