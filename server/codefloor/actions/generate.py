"""For one chosen action: the prompt to send, how the model's answer becomes file edits, and the
check an answer must pass before anything is applied.

Pure: the caller passes the document, optionally its parsed tree (trees.py keeps one per open
document), and a safe `read_file` for other files (files.py), and gets back a Job:
`finish(answer)` returns edits (or raises NothingToApply), `rejects(answer)` says why an answer must
not be applied (the router then counts the attempt as failed and falls back), or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from codefloor.actions.cleaning import comment_text, extract_code, format_doc
from codefloor.actions.edits import FileEdit, Pos, TextEdit, apply_edits, end_of
from codefloor.actions.files import FileRefused
from codefloor.actions.languages import Language, language_for
from codefloor.actions.lines import line_ending, reindent, split_lines
from codefloor.actions.offers import EXPECTED_OUTPUT_TOKENS, ActionKind, Problem
from codefloor.actions.source import AnswerUnparsable, FunctionSite, Parsed, answer_body, error_count, first_error_line, function_at, parse
from codefloor.actions.test_paths import module_import, plan_tests
from codefloor.errors import NothingToApply
from codefloor.providers.types import ChatRequest, Message

SYSTEM = (
    "You are a careful senior engineer editing code inside an editor. Reply with code only, in one "
    "fenced code block, with no explanation before or after it."
)
CONTEXT_CHARS = 12_000  # how much of the file goes into a prompt (about 3k tokens)


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
    before: dict[str, tuple[Language | None, str]] = field(default_factory=dict)  # uri -> text the edits apply to
    notes: tuple[str, ...] = ()  # files skipped on the way (for the log)

    @property
    def input_tokens(self) -> int:
        return estimate_tokens(sum(len(m.content) for m in self.chat.messages))

    @property
    def output_tokens(self) -> int:
        return EXPECTED_OUTPUT_TOKENS[self.kind]

    def rejects(self, answer: str) -> str | None:
        """Why this answer must not be applied, or None. Its own step, so more checks can follow:
        (1) it gives an edit at all, (2) every edited file parses as well as it did before."""
        try:
            edits = self.finish(answer)
        except NothingToApply as exc:
            return str(exc)
        for file_edit in edits:
            lang, before = self.before.get(file_edit.uri, (None, ""))
            first_edit = min(e.start.line for e in file_edit.edits)
            problem = parse_check(lang, before, apply_edits(before, file_edit.edits), file_edit.uri, first_edit)
            if problem:
                return problem
        return None


def parse_check(lang: Language | None, before: str, after: str, uri: str = "", edit_line: int = 0) -> str | None:
    """None when `after` parses as well as `before`, else why not. "As well" = no more ERROR/MISSING
    nodes, and no error that starts earlier than the first one before (an error can swallow the
    next one, keeping the count: the edit is then where the first error appears)."""
    if lang is None:
        return None
    tree_after = parse(lang, after).tree
    if not tree_after.root_node.has_error:
        return None
    tree_before = parse(lang, before).tree if before else None
    added = error_count(tree_after) - (error_count(tree_before) if tree_before is not None else 0)
    line = first_error_line(tree_after)
    old = first_error_line(tree_before) if tree_before is not None else None
    if old is not None and old >= edit_line:
        old += len(split_lines(after)) - len(split_lines(before))  # the old error moved with the lines added above it
    earlier = line is not None and (old is None or line < old)
    if added <= 0 and not earlier:
        return None
    where = f" (first near line {line + 1})" if line is not None else ""
    return f"the answer would break the {lang.name} syntax of {_name(uri) or 'the file'}: {max(added, 1)} new parse error(s){where}"


from codefloor.basics import estimate_tokens  # noqa: E402,F401 (the one estimate; re-exported)


def language_name(language_id: str | None, path: str) -> str:
    lang = language_for(language_id, path)
    if lang is not None:
        return lang.name
    return language_id or (PurePosixPath(path).suffix.lstrip(".") or "plain text")


def _context(doc: Doc, around_line: int) -> str:
    """The file, or a window of it around `around_line` when the file is large."""
    if len(doc.text) <= CONTEXT_CHARS:
        return "\n".join(split_lines(doc.text))
    lines = split_lines(doc.text)
    lo = hi = min(around_line, len(lines) - 1)
    size = len(lines[lo])
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


def _source(doc: Doc, parsed: Parsed | None) -> Parsed:
    lang = language_for(doc.language_id, doc.path)
    if lang is None:
        raise NothingToApply(f"{doc.language_id or 'this file type'} is not a language codefloor's function actions know")
    return parsed.fresh() if parsed is not None and parsed.lang.key == lang.key else parse(lang, doc.text)


def _function(doc: Doc, line: int, parsed: Parsed | None) -> tuple[Parsed, FunctionSite]:
    source = _source(doc, parsed)
    site = function_at(source, line)
    if site is None:
        raise NothingToApply(f"the cursor is not inside a {source.lang.name} function any more; nothing applied")
    return source, site


def _function_text(doc: Doc, site: FunctionSite) -> str:
    return "\n".join(split_lines(doc.text)[site.lines[0] : site.lines[1] + 1])


def _code_or_raise(answer: str) -> str:
    code = extract_code(answer)
    if not code.strip():
        raise NothingToApply("the model returned no code; nothing applied")
    return code


def _label(doc: Doc) -> str:
    return PurePosixPath(doc.path).name or doc.uri


def generate_body(doc: Doc, line: int, *, parsed: Parsed | None = None) -> Job:
    source, site = _function(doc, line, parsed)
    lang = source.lang
    eol = line_ending(doc.text)
    user = (
        f"File `{_label(doc)}` ({lang.name}):\n```{lang.key}\n{_context(doc, site.header_line)}\n```\n\n"
        f"Write the body of the {lang.name} function `{site.qualname}`:\n```{lang.key}\n{_function_text(doc, site)}\n```\n"
        f"Reply with the complete function (signature unchanged, no doc comment) in one ```{lang.key} code block, "
        "in the file's style."
    )

    def finish(answer: str) -> list[FileEdit]:
        try:
            new_text = answer_body(lang, site, _code_or_raise(answer), eol)
        except AnswerUnparsable as exc:
            raise NothingToApply(f"{exc}; nothing applied") from None
        if not new_text.strip():
            raise NothingToApply("the model returned an empty body; nothing applied")
        return [FileEdit(doc.uri, (TextEdit(site.body_start, site.body_end, new_text),))]

    return Job(ActionKind.GENERATE_BODY, _chat(user, 1024), finish, f"generate the body of {site.qualname}", {doc.uri: (lang, doc.text)})


def add_docstring(doc: Doc, line: int, *, parsed: Parsed | None = None) -> Job:
    source, site = _function(doc, line, parsed)
    lang = source.lang
    eol = line_ending(doc.text)
    if site.doc_at is None:
        raise NothingToApply(f"{site.qualname} is written on one line; a doc comment needs its body on its own lines")
    quotes = " without the quotes" if lang.doc.kind == "docstring" else " without the comment markers"
    user = (
        f"Write {lang.doc.convention} for this {lang.name} function `{site.qualname}`. "
        f"Reply with the documentation text only{quotes}.\n```{lang.key}\n{_function_text(doc, site)}\n```"
    )
    at = site.doc_at

    def finish(answer: str) -> list[FileEdit]:
        content = comment_text(answer, lang)
        if not content.strip():
            raise NothingToApply("the model returned an empty doc comment; nothing applied")
        if lang.doc.kind == "docstring":
            new_text = eol + format_doc(content, lang, site.body_indent, eol)
        else:
            new_text = format_doc(content, lang, site.header_indent, eol) + eol
        return [FileEdit(doc.uri, (TextEdit(at, at, new_text),))]

    kind = "docstring" if lang.doc.kind == "docstring" else "doc comment"
    return Job(ActionKind.ADD_DOCSTRING, _chat(user, 400), finish, f"document {site.qualname} ({kind})", {doc.uri: (lang, doc.text)})


def write_tests(
    doc: Doc,
    line: int,
    *,
    folder_root: str | None,
    is_dir: Callable[[str], bool],
    read_file: Callable[[str], str | None],
    parsed: Parsed | None = None,
) -> Job:
    """`read_file(path)` gives a project file's text, None when absent, or raises FileRefused (see
    files.py): a refused test file stops the action, since appending to it would write through it."""
    source, site = _function(doc, line, parsed)
    lang = source.lang
    plan = plan_tests(lang, doc.path, folder_root, is_dir, read_file)
    if plan.inline:
        return _inline_tests(doc, source, site, plan.framework)
    try:
        existing = read_file(plan.path)
    except FileRefused as exc:
        raise NothingToApply(f"{exc}; no tests were written") from None
    name = PurePosixPath(plan.path).name
    subject = f"module `{module_import(doc.path, folder_root)}`" if lang.key == "python" else f"`{_label(doc)}`"
    style = ""
    if existing:
        style = f"\nThe test file `{name}` already contains (append to it, same style, no duplicate imports):\n```{lang.key}\n{existing[-4000:]}\n```\n"
    user = (
        f"Write {lang.name} tests with {plan.framework} for `{site.qualname}` from {subject}; they go in `{name}`.\n"
        f"```{lang.key}\n{_context(doc, site.header_line)}\n```\n{style}"
        f"Cover normal cases and edge cases. Reply with the test code only, in one ```{lang.key} code block."
    )
    test_uri = _path_to_uri(plan.path)
    eol = line_ending(existing) if existing else line_ending(doc.text)

    def finish(answer: str) -> list[FileEdit]:
        code = reindent(_code_or_raise(answer), "", eol)
        if existing is None:
            return [FileEdit(test_uri, (TextEdit(Pos(0, 0), Pos(0, 0), code + eol),), create=True, versioned=False)]
        end = end_of(existing)
        sep = eol if existing.endswith(("\n", "\r")) else eol + eol
        return [FileEdit(test_uri, (TextEdit(end, end, sep + eol + code + eol),), versioned=False)]

    return Job(
        ActionKind.WRITE_TESTS, _chat(user, 2048), finish, f"write tests for {site.qualname} in {name}",
        {test_uri: (lang, existing or "")}, plan.notes,
    )


def _inline_tests(doc: Doc, source: Parsed, site: FunctionSite, framework: str) -> Job:
    """Rust: unit tests live in the file, in `#[cfg(test)] mod tests` (added when missing)."""
    lang = source.lang
    eol = line_ending(doc.text)
    module = next((n for n in _walk_items(source) if n.type == "mod_item" and _mod_name(source, n) == "tests"), None)
    user = (
        f"Write {framework} for `{site.qualname}` in `{_label(doc)}`.\n```rust\n{_context(doc, site.header_line)}\n```\n"
        "Reply with the #[test] functions only (no mod wrapper, no use lines), in one ```rust code block. "
        "Cover normal cases and edge cases."
    )

    def finish(answer: str) -> list[FileEdit]:
        code = _strip_rust_wrapper(_code_or_raise(answer))
        if module is not None:
            body = module.child_by_field_name("body")
            close = source.start(body.children[-1]) if body is not None and body.children else source.end(module)
            return [FileEdit(doc.uri, (TextEdit(close, close, eol + reindent(code, lang.indent_unit, eol) + eol),))]
        end = end_of(doc.text)
        lead = "" if doc.text.endswith(("\n", "\r")) else eol
        block = eol.join(["#[cfg(test)]", "mod tests {", "    use super::*;", "", reindent(code, "    ", eol), "}"])
        return [FileEdit(doc.uri, (TextEdit(end, end, lead + eol + block + eol),))]

    return Job(ActionKind.WRITE_TESTS, _chat(user, 2048), finish, f"write tests for {site.qualname} in mod tests", {doc.uri: (lang, doc.text)})


def _walk_items(parsed: Parsed):
    return list(parsed.tree.root_node.named_children)


def _mod_name(parsed: Parsed, node) -> str:
    name = node.child_by_field_name("name")
    return parsed.text(name) if name is not None else ""


def _strip_rust_wrapper(code: str) -> str:
    lines = split_lines(code)
    out, depth_skip = [], False
    for line in lines:
        stripped = line.strip()
        if stripped in ("#[cfg(test)]",) or stripped.startswith("use super::"):
            continue
        if stripped.startswith("mod tests") and stripped.endswith("{"):
            depth_skip = True
            continue
        out.append(line)
    if depth_skip:
        while out and not out[-1].strip():
            out.pop()
        if out and out[-1].strip() == "}":
            out.pop()
    return "\n".join(out).strip("\n")


def fix_problem(doc: Doc, problem: Problem, *, margin: int = 15) -> Job:
    lines = split_lines(doc.text)
    lo = max(0, problem.start.line - margin)
    hi = min(len(lines) - 1, problem.end.line + margin)
    excerpt = "\n".join(lines[lo : hi + 1])
    where = f"line {problem.start.line + 1}" + (f" ({problem.source})" if problem.source else "")
    eol = line_ending(doc.text)
    user = (
        f"{language_name(doc.language_id, doc.path)} file `{_label(doc)}`. Diagnostic at {where}: {problem.message}\n"
        f"Lines {lo + 1}-{hi + 1}:\n```\n{excerpt}\n```\n"
        f"Reply with the corrected lines {lo + 1}-{hi + 1} only (the whole excerpt, fixed), keeping indentation."
    )

    def finish(answer: str) -> list[FileEdit]:
        code = eol.join(split_lines(_code_or_raise(answer)))
        start, end = Pos(lo, 0), Pos(hi, len(lines[hi]))
        return [FileEdit(doc.uri, (TextEdit(start, end, code),))]

    lang = language_for(doc.language_id, doc.path)
    return Job(ActionKind.FIX_DIAGNOSTIC, _chat(user, 1024), finish, f"fix: {split_lines(problem.message.strip())[0][:60]}", {doc.uri: (lang, doc.text)})


def edit_selection(doc: Doc, start: Pos, end: Pos, instruction: str) -> Job:
    if not instruction.strip():
        raise NothingToApply("codefloor.editSelection needs an instruction (its third argument)")
    lines = split_lines(doc.text)
    eol = line_ending(doc.text)
    if (end.line, end.col) < (start.line, start.col):  # a selection made backwards
        start, end = end, start
    if start == end:  # no selection: the whole current line
        start, end = Pos(start.line, 0), Pos(start.line, len(lines[start.line]))
    selected = _slice(lines, start, end)
    user = (
        f"{language_name(doc.language_id, doc.path)} file `{_label(doc)}`:\n```\n{_context(doc, start.line)}\n```\n"
        f"Rewrite this selected text:\n```\n{selected}\n```\nInstruction: {instruction.strip()}\n"
        "Reply with the replacement for the selected text only, keeping its indentation."
    )

    def finish(answer: str) -> list[FileEdit]:
        code = eol.join(split_lines(_code_or_raise(answer)))
        if start.col > 0:
            code = code.lstrip()  # the selection starts mid-line: its indentation is already there
        return [FileEdit(doc.uri, (TextEdit(start, end, code),))]

    lang = language_for(doc.language_id, doc.path)
    return Job(ActionKind.EDIT_SELECTION, _chat(user, 1024), finish, f"edit selection: {instruction.strip()[:60]}", {doc.uri: (lang, doc.text)})


def _slice(lines: list[str], start: Pos, end: Pos) -> str:
    if start.line == end.line:
        return lines[start.line][start.col : end.col]
    middle = lines[start.line + 1 : end.line]
    return "\n".join([lines[start.line][start.col :], *middle, lines[end.line][: end.col]])


def _name(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _path_to_uri(path: str) -> str:
    return Path(path).as_uri() if path.startswith("/") else path
