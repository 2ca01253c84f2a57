"""The Python function under the cursor: where its body is, whether it is a stub, its docstring.

Parsing uses `ast` on the whole document; when the document does not parse (the user is
mid-edit) only the lines up to and including the enclosing function are retried, so a
syntax error below the cursor does not hide the function.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from codefloor.actions.edits import Pos

_STUB_CALLS = ("NotImplementedError",)


@dataclass(frozen=True, slots=True)
class FunctionSite:
    name: str
    qualname: str  # Class.method for methods
    header_line: int  # line of `def` (0-based)
    end_line: int  # last line of the function (0-based, inclusive)
    body_indent: str
    source: str  # the function's text, decorators excluded
    docstring: str | None
    docstring_end_line: int | None
    is_stub: bool
    body_start: Pos  # where a generated body replaces the stub (after any docstring)
    body_end: Pos
    is_method: bool


def function_at(text: str, line: int) -> FunctionSite | None:
    """The innermost function whose lines contain `line` (0-based), or None."""
    tree = _parse(text, line)
    if tree is None:
        return None
    lines = text.split("\n")
    best: tuple[ast.FunctionDef | ast.AsyncFunctionDef, str, bool] | None = None

    def visit(node: ast.AST, prefix: str, in_class: bool) -> None:
        nonlocal best
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([d.lineno for d in child.decorator_list] + [child.lineno]) - 1
                if first <= line <= (child.end_lineno or child.lineno) - 1:
                    best = (child, prefix + child.name, in_class)
                    visit(child, prefix + child.name + ".", False)
            elif isinstance(child, ast.ClassDef):
                if child.lineno - 1 <= line <= (child.end_lineno or child.lineno) - 1:
                    visit(child, prefix + child.name + ".", True)
            else:
                visit(child, prefix, in_class)

    visit(tree, "", False)
    if best is None:
        return None
    node, qualname, is_method = best
    return _site(node, qualname, is_method, lines)


# Above this size only the top-level block around the cursor is parsed: ast.parse costs about
# 0.3 s per MB and runs on the server's event loop, so a whole 5 MB file would stall every request.
WHOLE_FILE_PARSE_LIMIT = 256 * 1024


def _parse(text: str, line: int) -> ast.Module | None:
    if len(text) > WHOLE_FILE_PARSE_LIMIT:
        tree = _parse_block(text.split("\n"), line)
        if tree is not None:
            return tree
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        pass
    # Retry on a prefix: everything up to the first line after `line` that is not indented.
    lines = text.split("\n")
    stop = len(lines)
    for i in range(line + 1, len(lines)):
        if lines[i].strip() and not lines[i][0].isspace():
            stop = i
            break
    try:
        return ast.parse("\n".join(lines[:stop]))
    except (SyntaxError, ValueError):
        return None


def _parse_block(lines: list[str], line: int) -> ast.Module | None:
    """The top-level statement containing `line` (with its decorators), parsed with the file's line
    numbers; None when it does not parse on its own (e.g. the cut fell inside a string)."""
    if not 0 <= line < len(lines):
        return None

    def starts_statement(i: int) -> bool:
        text = lines[i]
        return bool(text.strip()) and not text[0].isspace() and text[0] not in "#)]}"

    start = line
    while start > 0 and not starts_statement(start):
        start -= 1
    while start > 0 and lines[start - 1].startswith("@"):
        start -= 1
    stop = line + 1
    while stop < len(lines) and not starts_statement(stop):
        stop += 1
    try:
        tree = ast.parse("\n".join(lines[start:stop]))
    except (SyntaxError, ValueError):
        return None
    return ast.increment_lineno(tree, start)


def _site(node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str, is_method: bool, lines: list[str]) -> FunctionSite:
    header_line = node.lineno - 1
    end_line = (node.end_lineno or node.lineno) - 1
    body = list(node.body)
    docstring = ast.get_docstring(node, clean=False)
    doc_node = body[0] if docstring is not None else None
    rest = body[1:] if doc_node is not None else body
    is_stub = all(_is_stub_statement(stmt) for stmt in rest)

    first_stmt = body[0]
    if first_stmt.lineno - 1 == _header_end(node, lines):
        indent = " " * (node.col_offset + 4)
    else:
        line_text = lines[first_stmt.lineno - 1]
        indent = line_text[: len(line_text) - len(line_text.lstrip())]

    if doc_node is not None:
        doc_line = (doc_node.end_lineno or doc_node.lineno) - 1
        start = Pos(doc_line, _char_col(lines[doc_line], doc_node.end_col_offset or 0))
    else:
        header_end = _header_end(node, lines)
        start = _after_colon(lines, header_end)
    body_end = Pos(end_line, len(lines[end_line]))
    return FunctionSite(
        name=node.name,
        qualname=qualname,
        header_line=header_line,
        end_line=end_line,
        body_indent=indent,
        source="\n".join(lines[header_line : end_line + 1]),
        docstring=docstring,
        docstring_end_line=(doc_node.end_lineno - 1) if doc_node is not None and doc_node.end_lineno else None,
        is_stub=is_stub,
        body_start=start,
        body_end=body_end,
        is_method=is_method,
    )


def _char_col(line: str, byte_col: int) -> int:
    """ast columns count UTF-8 bytes; edits count code points (matters for emoji/CJK lines)."""
    return len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def _header_end(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    """The line holding the colon that ends the `def` header (0-based)."""
    first_body = node.body[0].lineno - 1
    # The header ends on the last line before the body that is not blank or a comment,
    # or on the body's own line for one-liners (`def f(): pass`).
    for i in range(first_body - 1, node.lineno - 2, -1):
        stripped = lines[i].strip()
        if stripped and not stripped.startswith("#"):
            return i
    return first_body


def _after_colon(lines: list[str], header_end: int) -> Pos:
    """Just after the header's colon; comments after it on the same line stay with the header."""
    text = lines[header_end]
    code = text.split("#", 1)[0].rstrip()
    col = code.rfind(":")
    if col >= 0 and code[col + 1 :].strip() == "":
        return Pos(header_end, len(text))
    # One-liner: the body follows the colon on the header line.
    return Pos(header_end, col + 1 if col >= 0 else len(text))


def _is_stub_statement(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Pass):
        return True
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis:
        return True
    if isinstance(stmt, ast.Raise) and stmt.exc is not None:
        exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
        return isinstance(exc, ast.Name) and exc.id in _STUB_CALLS
    return False


def has_todo(site: FunctionSite) -> bool:
    """A body that only says TODO (comments aside) also counts as a stub."""
    body_lines = site.source.split("\n")[1:]
    return any("TODO" in line for line in body_lines)
