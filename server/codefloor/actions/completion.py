"""Inline completion: the prefix/suffix around the cursor, the request, the answer, a small cache."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from codefloor.providers.fim import fenced_block
from codefloor.providers.types import FimRequest

from codefloor.basics import CHARS_PER_TOKEN, estimate_tokens  # noqa: E402 (the one estimate)
MAX_COMPLETION_TOKENS = 128
MAX_CONTEXT_TOKENS = 2048  # the prompt's share of any window, at most
# fit_context never looks further than this from the cursor, either side: the text within it gives
# the same Context as the whole document (a completion in a 20 MB file must not copy all of it).
CONTEXT_REACH = MAX_CONTEXT_TOKENS * CHARS_PER_TOKEN + 1
# Prefix gets most of the budget: what comes before the cursor predicts best.
PREFIX_SHARE = 0.75


@dataclass(frozen=True, slots=True)
class Context:
    prefix: str
    suffix: str

    @property
    def input_tokens(self) -> int:
        return estimate_tokens(len(self.prefix) + len(self.suffix))


def fit_context(text: str, offset: int, window_tokens: int, *, max_tokens: int = MAX_CONTEXT_TOKENS) -> Context:
    """The text before/after `offset`, trimmed at line boundaries to fit the model's window.

    `window_tokens` is the chosen model's context window; the prompt uses at most
    min(window - output, max_tokens) tokens so completions stay fast and cheap.
    """
    budget_chars = max(0, min(window_tokens - MAX_COMPLETION_TOKENS - 64, max_tokens)) * CHARS_PER_TOKEN
    prefix_budget = int(budget_chars * PREFIX_SHARE)
    prefix, suffix = text[:offset], text[offset:]
    suffix_budget = budget_chars - min(len(prefix), prefix_budget)
    if len(prefix) > prefix_budget:
        cut = len(prefix) - prefix_budget
        newline = prefix.find("\n", cut)
        prefix = prefix[newline + 1 :] if 0 <= newline < len(prefix) else prefix[cut:]
    if len(suffix) > suffix_budget:
        newline = suffix.rfind("\n", 0, suffix_budget)
        suffix = suffix[:newline] if newline >= 0 else suffix[:suffix_budget]
    return Context(prefix, suffix)


def fim_request(ctx: Context) -> FimRequest:
    return FimRequest(prefix=ctx.prefix, suffix=ctx.suffix, max_tokens=MAX_COMPLETION_TOKENS, stop=("\n\n\n",))


def clean_completion(answer: str, ctx: Context) -> str:
    """The insertable text: fences removed (native FIM endpoints can send them too; the pattern is
    providers/fim.py's, the one the FIM-by-chat path already used), no echo of the current line,
    no overlap with what follows the cursor."""
    fenced = fenced_block(answer) if "```" in answer else None
    text = fenced if fenced is not None else answer.rstrip()
    last_line = ctx.prefix.rsplit("\n", 1)[-1]
    if last_line.strip() and text.startswith(last_line):
        text = text[len(last_line) :]  # the model repeated the current line
    head = ctx.suffix.split("\n", 1)[0]
    if head.strip() and text.endswith(head):
        text = text[: -len(head)]  # the model continued into what already follows the cursor
    return text


class CompletionCache:
    """LRU of recent completions keyed by (folder, model, prefix tail, suffix head).

    Typing the same context again (undo, re-trigger) returns the previous answer without a call.
    """

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._items: OrderedDict[tuple, str] = OrderedDict()

    @staticmethod
    def key(folder: str, model: str, ctx: Context) -> tuple:
        return (folder, model, ctx.prefix[-2000:], ctx.suffix[:500])

    def get(self, key: tuple) -> str | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: tuple, value: str) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
