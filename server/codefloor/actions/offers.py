"""Which AI actions the cursor, selection and diagnostics allow. Listing only: no model is called,
and nothing is parsed here (the caller passes the document's tree, kept up to date by trees.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from codefloor.actions.edits import Pos

if TYPE_CHECKING:
    from codefloor.actions.source import FunctionSite, Parsed


class ActionKind(str, Enum):
    GENERATE_BODY = "generateBody"
    FIX_DIAGNOSTIC = "fixDiagnostic"
    ADD_DOCSTRING = "addDocstring"
    WRITE_TESTS = "writeTests"
    EDIT_SELECTION = "editSelection"


LABELS = {
    ActionKind.GENERATE_BODY: "Generate body",
    ActionKind.ADD_DOCSTRING: "Add doc comment",
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


def list_offers(parsed: Parsed | None, *, path: str, start: Pos, problems: list[Problem]) -> list[Offer]:
    """The actions for a cursor or selection starting at `start`, quick fixes first. `parsed` is
    None for a language the function actions do not know (fixes and edit-selection still work)."""
    offers: list[Offer] = []
    for index, problem in enumerate(problems):
        offers.append(Offer(ActionKind.FIX_DIAGNOSTIC, "Fix: " + _short(problem.message), problem.start.line, problem, index))
    if parsed is not None:
        from codefloor.actions.source import function_at

        site = function_at(parsed, start.line)
        if site is not None:
            offers.extend(_function_offers(parsed, site, path))
    return offers


def _function_offers(parsed: Parsed, site: FunctionSite, path: str) -> list[Offer]:
    from codefloor.actions.test_paths import is_test_file

    label = "Add docstring" if parsed.lang.doc.kind == "docstring" else LABELS[ActionKind.ADD_DOCSTRING]
    offers: list[Offer] = []
    if site.is_stub:
        offers.append(Offer(ActionKind.GENERATE_BODY, LABELS[ActionKind.GENERATE_BODY], site.header_line))
    if not site.has_doc and site.doc_at is not None:
        offers.append(Offer(ActionKind.ADD_DOCSTRING, label, site.header_line))
    if not site.is_stub and not site.name.lower().startswith("test") and not is_test_file(parsed.lang, path):
        offers.append(Offer(ActionKind.WRITE_TESTS, LABELS[ActionKind.WRITE_TESTS], site.header_line))
    return offers


def _short(message: str, limit: int = 60) -> str:
    first = message.strip().split("\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1] + "…"
