"""Fill-in-the-middle through a chat model, for routes without a native FIM endpoint.

fim_as_chat() asks for exactly the missing middle; clean_fim_answer() undoes what chat models
do anyway: wrap code in fences, repeat the line they were asked to continue, run on into the
code that follows the cursor.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from codefloor.providers.types import ChatRequest, FimRequest, Message, Provider, StreamChunk, Usage

HOLE = "<|fill_here|>"
_SYSTEM = (
    "You are a code completion engine. The user shows a file with one hole marked "
    f"{HOLE}. Reply with only the text that replaces the hole: no explanation, no code fences, "
    "and do not repeat the code before or after the hole."
)
# The one fence pattern (action answers use it too, through fenced_block): a closing fence starts a line.
_FENCE = re.compile(r"```[^\n`]*\n(.*?)(?:(?<=\n)```|\Z)", re.DOTALL)
_STRAY_FENCE = re.compile(r"\A\s*```[^\n`]*(\n|\Z)|(\n|\A)[ \t]*```[^\n`]*\s*\Z")  # a lone fence line at either end
_MIN_OVERLAP = 4  # shorter overlaps are as likely to be coincidence as repetition


def fim_as_chat(request: FimRequest, reasoning_effort: str | None = None) -> ChatRequest:
    """`reasoning_effort`: the low effort a reasoning model completes at (None: the provider's default)."""
    user = f"{request.prefix}{HOLE}{request.suffix}"
    return ChatRequest(
        messages=(Message("system", _SYSTEM), Message("user", user)),
        max_tokens=request.max_tokens,
        temperature=request.temperature,
        stop=request.stop,
        reasoning_effort=reasoning_effort,
    )


def fenced_block(answer: str) -> str | None:
    """The content of the first ``` fenced block in `answer` (without its last line break), or None."""
    match = _FENCE.search(answer.replace("\r\n", "\n"))
    if match is None:
        return None
    block = match.group(1)
    return block[:-1] if block.endswith("\n") else block


def clean_fim_answer(answer: str, request: FimRequest) -> str:
    """The middle alone: fences removed, repeated prefix/suffix cut off."""
    fenced = fenced_block(answer)
    if fenced is not None:
        answer = fenced
    answer = _STRAY_FENCE.sub("", answer.replace(HOLE, ""))
    if request.prefix and answer.startswith(request.prefix):
        answer = answer[len(request.prefix):]
    else:
        answer = answer[_overlap(request.prefix, answer):]
    if request.suffix and answer.endswith(request.suffix):
        answer = answer[: -len(request.suffix)]
    else:
        cut = _overlap(answer, request.suffix)
        answer = answer[: len(answer) - cut] if cut else _cut_at_suffix_line(answer, request.suffix)
    return answer


def _overlap(left: str, right: str) -> int:
    """Length of the longest end of `left` that `right` starts with (ignored when too short)."""
    for size in range(min(len(left), len(right)), _MIN_OVERLAP - 1, -1):
        piece = right[:size]
        if left.endswith(piece) and piece.strip():
            return size
    return 0


def _cut_at_suffix_line(answer: str, suffix: str) -> str:
    """The model wrote on past the hole: stop where the suffix's first real line begins."""
    first = next((line.strip() for line in suffix.splitlines() if line.strip()), "")
    if len(first) < _MIN_OVERLAP:
        return answer
    lines = answer.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if index and line.strip() == first:
            kept = "".join(lines[:index])
            # The suffix brings its own line break when it starts with one.
            return kept.rstrip("\n") if suffix.startswith("\n") else kept
    return answer


async def stream_fim_via_chat(provider: Provider, model: str, request: FimRequest,
                              reasoning_effort: str | None = None) -> AsyncIterator[StreamChunk]:
    """FIM on a chat route: the cleaned middle arrives as one chunk (cleanup needs the whole answer)."""
    parts: list[str] = []
    usage: Usage | None = None
    finish: str | None = None
    async for chunk in provider.stream_chat(model, fim_as_chat(request, reasoning_effort)):
        parts.append(chunk.text)
        usage = chunk.usage or usage
        finish = chunk.finish_reason or finish
    middle = clean_fim_answer("".join(parts), request)
    if middle:
        yield StreamChunk(text=middle)
    yield StreamChunk(usage=usage, finish_reason=finish or "stop")
