"""For one chosen action: the prompt to send, and how the model's answer becomes file edits.

Pure: the caller passes the document text and a `read_file` callable for the test file, and
gets back a Job whose `finish(answer)` returns edits (or raises NothingToApply).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from codefloor.actions.cleaning import (
    docstring_text,
    extract_code,
    format_docstring,
    reindent,
    strip_function_header,
    strip_leading_docstring,
)
from codefloor.actions.edits import FileEdit, Pos, TextEdit, end_of
from codefloor.actions.offers import EXPECTED_OUTPUT_TOKENS, ActionKind, Problem, is_python
from codefloor.actions.python_source import FunctionSite, function_at
from codefloor.actions.test_paths import module_import, test_file_for
from codefloor.providers.types import ChatRequest, Message

SYSTEM = (
    "You are a careful senior engineer editing code inside an editor. Reply with code only, in one "
    "fenced code block, with no explanation before or after it."
)
CONTEXT_CHARS = 12_000  # how much of the file goes into a prompt (about 3k tokens)


class NothingToApply(Exception):
    """The action cannot produce an edit (no function here, empty answer...). str() says why."""


@dataclass(frozen=True, slots=True)
class Doc:
    uri: str
    path: str  # POSIX file system path ("" for untitled documents)
    text: str
    language_id: str | None
    version: int | None


@dataclass(frozen=True)
class Job:
    kind: ActionKind
    chat: ChatRequest
    finish: Callable[[str], list[FileEdit]]
    description: str  # "generate the body of parse_args" -- used in progress and logs

    @property
    def input_tokens(self) -> int:
        return estimate_tokens(sum(len(m.content) for m in self.chat.messages))

    @property
    def output_tokens(self) -> int:
        return EXPECTED_OUTPUT_TOKENS[self.kind]


from codefloor.basics import estimate_tokens  # noqa: E402,F401 (the one estimate; re-exported)


def language_name(doc: Doc) -> str:
    if is_python(doc.language_id, doc.path):
        return "Python"
    return doc.language_id or (PurePosixPath(doc.path).suffix.lstrip(".") or "plain text")


def _context(doc: Doc, around_line: int) -> str:
    """The file, or a window of it around `around_line` when the file is large."""
    if len(doc.text) <= CONTEXT_CHARS:
        return doc.text
    lines = doc.text.split("\n")
    lo = hi = around_line
    size = len(lines[around_line]) if around_line < len(lines) else 0
    while size < CONTEXT_CHARS and (lo > 0 or hi < len(lines) - 1):
        if lo > 0:
            lo -= 1
            size += len(lines[lo]) + 1
        if hi < len(lines) - 1:
            hi += 1
            size += len(lines[hi]) + 1
    return "\n".join(lines[lo : hi + 1])


def _chat(user: str, max_tokens: int) -> ChatRequest:
    return ChatRequest(messages=(Message("system", SYSTEM), Message("user", user)), max_tokens=max_tokens)


def _function(doc: Doc, line: int) -> FunctionSite:
    site = function_at(doc.text, line)
    if site is None:
        raise NothingToApply("the cursor is not inside a Python function any more; nothing applied")
    return site


def _code_or_raise(answer: str) -> str:
    code = extract_code(answer)
    if not code.strip():
        raise NothingToApply("the model returned no code; nothing applied")
    return code


def generate_body(doc: Doc, line: int) -> Job:
    site = _function(doc, line)
    lang = language_name(doc)
    user = (
        f"File `{PurePosixPath(doc.path).name or doc.uri}` ({lang}):\n```\n{_context(doc, site.header_line)}\n```\n\n"
        f"Write the body of `{site.qualname}`:\n```\n{site.source}\n```\n"
        "Reply with the complete function (signature unchanged) in one code block."
    )

    def finish(answer: str) -> list[FileEdit]:
        body = strip_function_header(_code_or_raise(answer), site.name)
        if site.docstring is not None:
            body = strip_leading_docstring(body)
        if not body.strip():
            raise NothingToApply("the model returned an empty body; nothing applied")
        new_text = "\n" + reindent(body, site.body_indent)
        return [FileEdit(doc.uri, (TextEdit(site.body_start, site.body_end, new_text),))]

    return Job(ActionKind.GENERATE_BODY, _chat(user, 1024), finish, f"generate the body of {site.qualname}")


def add_docstring(doc: Doc, line: int) -> Job:
    site = _function(doc, line)
    user = (
        f"Write a concise docstring (PEP 257: one summary line, then details only if needed) for this "
        f"{language_name(doc)} function. Reply with the docstring text only, without quotes.\n"
        f"```\n{site.source}\n```"
    )

    def finish(answer: str) -> list[FileEdit]:
        content = docstring_text(answer)
        if not content.strip():
            raise NothingToApply("the model returned an empty docstring; nothing applied")
        insert_at = site.body_start  # just after the header's colon
        new_text = "\n" + format_docstring(content, site.body_indent)
        return [FileEdit(doc.uri, (TextEdit(insert_at, insert_at, new_text),))]

    return Job(ActionKind.ADD_DOCSTRING, _chat(user, 300), finish, f"document {site.qualname}")


def write_tests(
    doc: Doc,
    line: int,
    *,
    folder_root: str | None,
    is_dir: Callable[[str], bool],
    read_file: Callable[[str], str | None],
) -> Job:
    site = _function(doc, line)
    test_path = test_file_for(doc.path, folder_root, is_dir)
    existing = read_file(test_path)
    module = module_import(doc.path, folder_root)
    style = ""
    if existing:
        style = f"\nThe test file `{PurePosixPath(test_path).name}` already contains (append to it, same style, no duplicate imports):\n```\n{existing[-4000:]}\n```\n"
    user = (
        f"Write pytest tests for `{site.qualname}` from module `{module}`.\n"
        f"```\n{_context(doc, site.header_line)}\n```\n{style}"
        "Cover normal cases and edge cases. Reply with the test code only."
    )
    test_uri = _path_to_uri(test_path)

    def finish(answer: str) -> list[FileEdit]:
        code = _code_or_raise(answer)
        if existing is None:
            return [FileEdit(test_uri, (TextEdit(Pos(0, 0), Pos(0, 0), code + "\n"),), create=True, versioned=False)]
        end = end_of(existing)
        sep = "\n\n" if existing.endswith("\n") else "\n\n\n"
        return [FileEdit(test_uri, (TextEdit(end, end, sep + code + "\n"),), versioned=False)]

    return Job(ActionKind.WRITE_TESTS, _chat(user, 2048), finish, f"write tests for {site.qualname} in {PurePosixPath(test_path).name}")


def fix_problem(doc: Doc, problem: Problem, *, margin: int = 15) -> Job:
    lines = doc.text.split("\n")
    lo = max(0, problem.start.line - margin)
    hi = min(len(lines) - 1, problem.end.line + margin)
    excerpt = "\n".join(lines[lo : hi + 1])
    where = f"line {problem.start.line + 1}" + (f" ({problem.source})" if problem.source else "")
    user = (
        f"{language_name(doc)} file `{PurePosixPath(doc.path).name or doc.uri}`. Diagnostic at {where}: {problem.message}\n"
        f"Lines {lo + 1}-{hi + 1}:\n```\n{excerpt}\n```\n"
        f"Reply with the corrected lines {lo + 1}-{hi + 1} only (the whole excerpt, fixed), keeping indentation."
    )

    def finish(answer: str) -> list[FileEdit]:
        code = _code_or_raise(answer)
        start, end = Pos(lo, 0), Pos(hi, len(lines[hi]))
        return [FileEdit(doc.uri, (TextEdit(start, end, code),))]

    return Job(ActionKind.FIX_DIAGNOSTIC, _chat(user, 1024), finish, f"fix: {problem.message.splitlines()[0][:60]}")


def edit_selection(doc: Doc, start: Pos, end: Pos, instruction: str) -> Job:
    if not instruction.strip():
        raise NothingToApply("codefloor.editSelection needs an instruction (its third argument)")
    lines = doc.text.split("\n")
    if (end.line, end.col) < (start.line, start.col):  # a selection made backwards
        start, end = end, start
    if start == end:  # no selection: the whole current line
        start, end = Pos(start.line, 0), Pos(start.line, len(lines[start.line]))
    selected = _slice(lines, start, end)
    user = (
        f"{language_name(doc)} file `{PurePosixPath(doc.path).name or doc.uri}`:\n```\n{_context(doc, start.line)}\n```\n"
        f"Rewrite this selected text:\n```\n{selected}\n```\nInstruction: {instruction.strip()}\n"
        "Reply with the replacement for the selected text only, keeping its indentation."
    )

    def finish(answer: str) -> list[FileEdit]:
        code = _code_or_raise(answer)
        if start.col > 0:
            code = code.lstrip()  # the selection starts mid-line: its indentation is already there
        return [FileEdit(doc.uri, (TextEdit(start, end, code),))]

    return Job(ActionKind.EDIT_SELECTION, _chat(user, 1024), finish, f"edit selection: {instruction.strip()[:60]}")


def _slice(lines: list[str], start: Pos, end: Pos) -> str:
    if start.line == end.line:
        return lines[start.line][start.col : end.col]
    middle = lines[start.line + 1 : end.line]
    return "\n".join([lines[start.line][start.col :], *middle, lines[end.line][: end.col]])


def _path_to_uri(path: str) -> str:
    from pathlib import Path

    return Path(path).as_uri() if path.startswith("/") else path
