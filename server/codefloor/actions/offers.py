"""Which AI actions the cursor, selection and diagnostics allow. Listing only: no model is called."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from codefloor.actions.edits import Pos
from codefloor.actions.python_source import FunctionSite, function_at, has_todo


class ActionKind(str, Enum):
    GENERATE_BODY = "generateBody"
    FIX_DIAGNOSTIC = "fixDiagnostic"
    ADD_DOCSTRING = "addDocstring"
    WRITE_TESTS = "writeTests"
    EDIT_SELECTION = "editSelection"


LABELS = {
    ActionKind.GENERATE_BODY: "Generate body",
    ActionKind.ADD_DOCSTRING: "Add docstring",
    ActionKind.WRITE_TESTS: "Write tests",
    ActionKind.EDIT_SELECTION: "Edit selection",
}

# Rough output sizes per action (tokens), used to estimate the cost the router compares.
EXPECTED_OUTPUT_TOKENS = {
    ActionKind.GENERATE_BODY: 400,
    ActionKind.FIX_DIAGNOSTIC: 400,
    ActionKind.ADD_DOCSTRING: 150,
    ActionKind.WRITE_TESTS: 800,
    ActionKind.EDIT_SELECTION: 400,
}


@dataclass(frozen=True, slots=True)
class Problem:
    """A diagnostic in domain coordinates."""

    message: str
    start: Pos
    end: Pos
    source: str | None = None
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    kind: ActionKind
    label: str
    line: int  # the line the action is anchored to (function header or diagnostic start)
    problem: Problem | None = None
    diagnostic_index: int | None = None  # position in the request's context.diagnostics
    extra: dict = field(default_factory=dict)


def is_python(language_id: str | None, path: str) -> bool:
    return language_id == "python" or path.endswith((".py", ".pyi"))


def list_offers(
    text: str,
    *,
    language_id: str | None,
    path: str,
    start: Pos,
    end: Pos,
    problems: list[Problem],
) -> list[Offer]:
    """The actions for a cursor (start == end) or selection, quick fixes first."""
    offers: list[Offer] = []
    for index, problem in enumerate(problems):
        offers.append(Offer(ActionKind.FIX_DIAGNOSTIC, "Fix: " + _short(problem.message), problem.start.line, problem, index))
    if is_python(language_id, path):
        site = function_at(text, start.line)
        if site is not None:
            offers.extend(_function_offers(site, path))
    return offers


def _function_offers(site: FunctionSite, path: str) -> list[Offer]:
    offers: list[Offer] = []
    if site.is_stub or (has_todo(site) and site.end_line - site.header_line <= 3):
        offers.append(Offer(ActionKind.GENERATE_BODY, LABELS[ActionKind.GENERATE_BODY], site.header_line))
    body_on_own_line = site.body_start.col == 0 or site.docstring is not None or _colon_ends_line(site)
    if site.docstring is None and body_on_own_line:
        offers.append(Offer(ActionKind.ADD_DOCSTRING, LABELS[ActionKind.ADD_DOCSTRING], site.header_line))
    if not site.is_stub and not site.name.startswith("test") and not path.rsplit("/", 1)[-1].startswith("test_"):
        offers.append(Offer(ActionKind.WRITE_TESTS, LABELS[ActionKind.WRITE_TESTS], site.header_line))
    return offers


def _colon_ends_line(site: FunctionSite) -> bool:
    header = site.source.split("\n")[site.body_start.line - site.header_line]
    return site.body_start.col >= len(header)


def _short(message: str, limit: int = 60) -> str:
    first = message.strip().split("\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"
