"""The source model behind every action, one implementation on tree-sitter for every language.

    parse(lang, text)            -> Parsed (tree + the bytes it was parsed from)
    function_at(parsed, line)    -> FunctionSite: the innermost function on that line, its body and
                                    whether it is a stub, its doc comment and where one goes
    answer_body(...)             -> a model's answer cut to the function body, re-indented
    error_count(tree)            -> ERROR + MISSING nodes: "parses as well as before" compares these

Positions are the LSP's lines (\\n, \\r\\n, \\r) and code-point columns. tree-sitter counts rows at
\\n only, so a lone \\r is given to it as \\n (same byte length: offsets stay valid).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from tree_sitter import Node, Parser, Tree

from codefloor.actions.edits import Pos
from codefloor.actions.languages import STUB_MESSAGE, Language
from codefloor.actions.lines import dedent, indent_of, reindent, split_lines
from codefloor.actions.rope import Utf8, to_bytes

_SPACE = re.compile(r"\s+")
_COMMENT = ("comment", "line_comment", "block_comment")


@lru_cache(maxsize=None)
def _language(grammar: str):
    from tree_sitter_language_pack import get_language

    return get_language(grammar)


def new_parser(lang: Language) -> Parser:
    """A parser of its own (a Parser is not shared between threads)."""
    return Parser(_language(lang.grammar))


@dataclass(frozen=True)
class Parsed:
    lang: Language
    data: bytes | Utf8  # an open document's rope is read in place (actions/rope.py)
    tree: Tree
    # Byte ranges edited since `tree` was parsed (the tree is edited, not re-parsed, yet: trees.py).
    # Outside them the tree is exact; function_at re-parses through `refresh` only when it needs them.
    pending: tuple[tuple[int, int], ...] = ()
    refresh: Callable[[], Parsed] | None = field(default=None, compare=False, repr=False)

    def fresh(self) -> Parsed:
        return self.refresh() if self.pending and self.refresh is not None else self

    def text(self, node: Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def start(self, node: Node) -> Pos:
        return self._pos(node.start_byte, node.start_point.row, node.start_point.column)

    def end(self, node: Node) -> Pos:
        return self._pos(node.end_byte, node.end_point.row, node.end_point.column)

    def _pos(self, byte: int, row: int, column: int) -> Pos:
        prefix = self.data[byte - column : byte].decode("utf-8", errors="replace")
        return Pos(row, len(prefix.rstrip("\r")))  # a token may end after the \r of \r\n: not part of the line

    def line(self, row: int, node: Node | None = None) -> str:
        """The text of line `row` (found from a node on or before it, so a huge file is not split)."""
        start = _row_start(self, row, node)
        stop = self.data.find(b"\n", start)
        raw = self.data[start : stop if stop >= 0 else len(self.data)]
        return raw.decode("utf-8", errors="replace").rstrip("\r")


def _row_start(parsed: Parsed, row: int, near: Node | None = None) -> int:
    if near is not None and near.start_point.row == row:
        return near.start_byte - near.start_point.column
    return row_start(parsed.tree, parsed.data, row)


def row_start(tree: Tree, data: bytes | bytearray | Utf8, row: int) -> int:
    """The byte offset where line `row` starts, found by walking down the tree to the node on that
    row (children by point, in C), then counting the few newlines between it and the row: no scan
    of the whole file, even when the row is in the middle of one huge class. An open document's
    rope knows where its lines start."""
    from tree_sitter import Point

    if isinstance(data, Utf8):
        return data.row_start(row)
    cursor = tree.walk()
    while True:
        node = cursor.node
        if node.start_point.row == row:
            return _scan_to(data, node.start_byte - node.start_point.column, row, row)
        if node.start_point.row > row:  # the row is a gap (blank lines, comments) before this node
            byte, at = node.start_byte - node.start_point.column, node.start_point.row
            while at > row and byte > 0:
                byte, at = data.rfind(b"\n", 0, byte - 1) + 1, at - 1
            return _scan_to(data, byte, row, row)
        if cursor.goto_first_child_for_point(Point(row, 0)) is None:
            break  # inside a multi-line token, or after the last child of this node
    node = cursor.node
    if node.child_count:
        last = node.child(node.child_count - 1)
        byte, at = last.end_byte - last.end_point.column, last.end_point.row
    else:
        byte, at = node.start_byte - node.start_point.column, node.start_point.row
    if at > row:
        byte, at = node.start_byte - node.start_point.column, node.start_point.row
    return _scan_to(data, byte, at, row)


def _scan_to(data: bytes | bytearray | Utf8, byte: int, at: int, row: int) -> int:
    if byte < 0 or (byte > 0 and data[byte - 1 : byte] != b"\n"):
        byte, at = 0, 0  # an edited, not yet re-parsed tree can be off here: count from the top
    while at < row:
        nl = data.find(b"\n", byte)
        if nl < 0:
            raise IndexError(f"line {row} is past the end of the document")
        byte, at = nl + 1, at + 1
    return byte


def parse(lang: Language, text: str, parser: Parser | None = None) -> Parsed:
    data = to_bytes(text)
    return Parsed(lang, data, (parser or new_parser(lang)).parse(data))


def error_count(tree: Tree) -> int:
    """ERROR and MISSING nodes in the tree (only subtrees that contain one are visited)."""
    count, stack = 0, [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            count += 1
        elif node.has_error:
            stack.extend(node.children)
    return count


def first_error_line(tree: Tree) -> int | None:
    node = tree.root_node
    if not node.has_error:
        return None
    while True:
        if node.is_error or node.is_missing:
            return node.start_point.row
        child = next((c for c in node.children if c.has_error), None)
        if child is None:
            return node.start_point.row
        node = child


# -- functions ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FunctionSite:
    name: str
    qualname: str  # Class.method for methods
    header_line: int  # first line of the function itself
    anchor_line: int  # first line of what belongs to it (decorators, attributes, export): a doc comment goes above
    end_line: int
    header_indent: str
    body_indent: str
    has_doc: bool
    is_stub: bool
    body_start: Pos  # the range a generated body replaces (see answer_body)
    body_end: Pos
    doc_at: Pos | None  # where a doc comment is inserted; None = not possible here (a one-line def)
    lines: tuple[int, int]  # anchor_line..end_line, for the prompt's excerpt


def function_nodes(parsed: Parsed, root: Node | None = None) -> list[Node]:
    """Every function with a body under `root`, outermost first (document order)."""
    out, stack = [], [root or parsed.tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in parsed.lang.functions and _body(parsed, node) is not None:
            out.append(node)
        stack.extend(reversed(node.children))
    return out


def function_at(parsed: Parsed, line: int) -> FunctionSite | None:
    """The innermost function whose lines (decorators and doc comment included) contain `line`.

    On a tree with pending edits the answer is used only if neither the line nor the function (with
    what comes just before it: its doc comment) was edited; else the tree is re-parsed first."""
    if not parsed.pending:
        return _function_at(parsed, line)
    try:
        start = row_start(parsed.tree, parsed.data, line)
    except IndexError:
        start = len(parsed.data)
    line_edited = start > 0 and parsed.data[start - 1 : start] != b"\n" or _touches(parsed.pending, start, parsed.data.find(b"\n", start) % (len(parsed.data) + 1))
    found: list[Node] = []
    site = _function_at(parsed, line, found)
    if not found:
        return _function_at(parsed.fresh(), line) if line_edited else site
    node = found[0]
    anchor = _anchor(parsed, node)
    before = anchor.prev_sibling
    first = before if before is not None and before.type in _COMMENT else anchor
    if not line_edited and not _touches(parsed.pending, before.start_byte if before is not None else node.start_byte, node.end_byte):
        return site
    # The edit is in this function: parse just it (tree-sitter included ranges keep the file's
    # coordinates); if that is not clean, the whole file, incrementally.
    local = _local_site(parsed, first, node, line)
    return local if local is not None else _function_at(parsed.fresh(), line)


def _local_site(parsed: Parsed, first: Node, node: Node, line: int) -> FunctionSite | None:
    from tree_sitter import Range

    start_byte = first.start_byte
    if not (first.start_point.row <= line <= node.end_point.row):
        return None
    parser = new_parser(parsed.lang)
    parser.included_ranges = [Range(first.start_point, node.end_point, start_byte, node.end_byte)]
    tree = parser.parse(parsed.data)
    root = tree.root_node
    if root.has_error or root.end_byte != node.end_byte:
        return None  # the edit reaches past this function (a brace removed...), or it does not parse alone here
    local = Parsed(parsed.lang, parsed.data, tree)
    site = _function_at(local, line)
    return site if site is not None and site.end_line == node.end_point.row else None


def _touches(pending: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    return any(lo <= end and start <= hi for lo, hi in pending)


def _function_at(parsed: Parsed, line: int, found: list[Node] | None = None) -> FunctionSite | None:
    from tree_sitter import Point

    root = parsed.tree.root_node
    if line < 0 or line > root.end_point.row:
        return None
    start = _row_start(parsed, line)
    stop = parsed.data.find(b"\n", start)
    raw = parsed.data[start : stop if stop >= 0 else len(parsed.data)]
    first, last = len(raw) - len(raw.lstrip()), len(raw.rstrip())
    # The first and the last token of the line: a cursor anywhere on it finds the same function.
    for column in {first, max(first, last - 1)}:
        current = root.descendant_for_point_range(Point(line, column), Point(line, column))
        while current is not None:
            if current.type in parsed.lang.functions and _body(parsed, current) is not None:
                return _found(parsed, current, found)
            current = current.parent
    # A function that starts on this line inside something else that does (`const f = () => {`,
    # `impl S { fn m() {} }`): only nodes starting on the line are looked into.
    stack = [root.descendant_for_point_range(Point(line, first), Point(line, first))]
    while stack[0] is not None and stack[0].parent is not None and stack[0].parent.start_point.row == line and stack[0].parent.parent is not None:
        stack[0] = stack[0].parent
    while stack:
        node = stack.pop()
        if node is None or node.start_point.row != line:
            continue
        if node.type in parsed.lang.functions and _body(parsed, node) is not None:
            return _found(parsed, node, found)
        if node.id != root.id:
            stack.extend(reversed([c for c in _children_from(node, line)]))
    # A cursor on a doc comment or decorator line just above a function.
    return _function_below(parsed, line, found)


def _children_from(node: Node, line: int):
    """The children of `node` that start on `line` (they come first: stop at the first that does not)."""
    for index in range(node.child_count):
        child = node.child(index)
        if child.start_point.row > line:
            return
        yield child


def _found(parsed: Parsed, node: Node, found: list[Node] | None) -> FunctionSite:
    if found is not None:
        found.append(node)
    return site_of(parsed, node)


def _function_below(parsed: Parsed, line: int, found: list[Node] | None = None) -> FunctionSite | None:
    from tree_sitter import Point

    node = parsed.tree.root_node.descendant_for_point_range(Point(line, 0), Point(line, 10**6))
    while node is not None and node.type not in _COMMENT and node.type not in ("decorator", "attribute_item", "attribute_list"):
        node = node.parent if node.type not in ("block", "module", "program") else None
    if node is None:
        return None
    sibling = node.next_named_sibling
    while sibling is not None and (sibling.type in _COMMENT or sibling.type == "attribute_item"):
        sibling = sibling.next_named_sibling
    while sibling is not None and sibling.type in parsed.lang.wrappers:
        inner = _unwrap(parsed, sibling)
        if inner is None:
            return None
        sibling = inner
    if sibling is not None and sibling.type in parsed.lang.functions and _body(parsed, sibling) is not None:
        return _found(parsed, sibling, found)
    return None


def _unwrap(parsed: Parsed, wrapper: Node) -> Node | None:
    for child in wrapper.named_children:
        if child.type in parsed.lang.functions:
            return child
        if child.type in ("lexical_declaration", "variable_declaration"):
            found = function_nodes(parsed, child)
            return found[0] if found else None
    return None


def _body(parsed: Parsed, node: Node) -> Node | None:
    body = node.child_by_field_name("body")
    if parsed.lang.body == "ruby":
        return body if body is not None else node  # `def f; end` has no body node: the method stands in
    if body is None:
        return None
    if node.type == "arrow_function" and body.type != "statement_block":
        return None  # `x => x + 1`: an expression, not a function body to generate
    return body


def function_name(parsed: Parsed, node: Node) -> str:
    name = node.child_by_field_name("name")
    if name is not None:
        return parsed.text(name)
    declarator = node.child_by_field_name("declarator")
    while declarator is not None and declarator.type != "function_declarator":
        declarator = declarator.child_by_field_name("declarator")
    if declarator is not None:
        inner = declarator.child_by_field_name("declarator")
        if inner is not None:
            return parsed.text(inner).rsplit("::", 1)[-1]
    parent = node.parent
    if parent is not None:
        for field in ("name", "key", "left"):
            named = parent.child_by_field_name(field)
            if named is not None and named.id != node.id:
                return parsed.text(named)
    return "<anonymous>"


def _anchor(parsed: Parsed, node: Node) -> Node:
    """The outermost node that belongs to the function: decorators, export, template, `const f =`."""
    current = node
    while True:
        parent = current.parent
        if parent is None:
            break
        if parent.type in parsed.lang.wrappers:
            current = parent
        elif current.type in ("arrow_function", "function_expression", "function") and parent.type == "variable_declarator":
            current = parent.parent if parent.parent is not None else parent
        elif parent.type in ("lexical_declaration", "variable_declaration") and current.type == "variable_declarator":
            current = parent
        else:
            break
    while True:  # attributes before a Rust item are siblings of it, and so is its doc comment
        previous = current.prev_named_sibling
        if previous is not None and previous.type == "attribute_item" and previous.end_point.row >= current.start_point.row - 1:
            current = previous
        else:
            break
    return current


def _qualname(parsed: Parsed, node: Node, name: str) -> str:
    parts = [name]
    if node.type == "method_declaration" and parsed.lang.key == "go":
        receiver = node.child_by_field_name("receiver")
        if receiver is not None:
            types = [n for n in _walk(receiver) if n.type == "type_identifier"]
            if types:
                parts.insert(0, parsed.text(types[0]))
    parent = node.parent
    while parent is not None:
        if parent.type in parsed.lang.containers:
            named = parent.child_by_field_name("name") or parent.child_by_field_name("type")
            if named is not None:
                parts.insert(0, parsed.text(named))
        elif parent.type in parsed.lang.functions:
            parts.insert(0, function_name(parsed, parent))
        parent = parent.parent
    return ".".join(parts)


def _walk(node: Node):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def _statements(parsed: Parsed, node: Node, body: Node) -> list[Node]:
    if parsed.lang.body == "ruby" and body.id == node.id:
        return [c for c in node.children if c.type in _COMMENT]
    if body.type == "arrow_expression_clause":
        return body.named_children
    out = []
    for child in body.named_children:
        if child.type == "statement_list":  # Go
            out.extend(child.named_children)
        else:
            out.append(child)
    return out


def _docstring(parsed: Parsed, statements: list[Node]) -> Node | None:
    first = next((s for s in statements if s.type not in _COMMENT), None)
    if first is None:
        return None
    if first.type == "string" or (first.type == "expression_statement" and first.named_child_count == 1 and first.named_children[0].type == "string"):
        return first
    return None


def _is_stub(parsed: Parsed, statements: list[Node]) -> bool:
    comments = [s for s in statements if s.type in _COMMENT]
    real = [s for s in statements if s.type not in _COMMENT]
    todo = any(re.search(r"\b(TODO|FIXME)\b", parsed.text(c)) for c in comments)
    if not real:
        return not comments or todo  # an empty body, or one that only says TODO
    if all(_stub_statement(parsed, s) for s in real):
        return True
    return todo and len(real) == 1  # `// TODO` above a placeholder `return 0;`


def _stub_statement(parsed: Parsed, node: Node) -> bool:
    compact = _SPACE.sub("", parsed.text(node))
    for pattern in parsed.lang.stubs:
        match = pattern.match(compact)
        if match:
            message = match.groupdict().get("msg")
            return message is None or bool(STUB_MESSAGE.search(message))
    return False


def site_of(parsed: Parsed, node: Node) -> FunctionSite:
    lang = parsed.lang
    body = _body(parsed, node)
    assert body is not None
    name = function_name(parsed, node)
    anchor = _anchor(parsed, node)
    header_line = node.start_point.row
    header_indent = indent_of(parsed.line(anchor.start_point.row, anchor))
    statements = _statements(parsed, node, body)
    docstring = _docstring(parsed, statements) if lang.doc.kind == "docstring" else None
    if docstring is not None:
        statements = [s for s in statements if s.id != docstring.id]
    first = next((s for s in statements if s.start_point.row > header_line), None)
    unit = "\t" if "\t" in header_indent else lang.indent_unit
    body_indent = indent_of(parsed.line(first.start_point.row, first)) if first is not None else header_indent + unit
    if docstring is not None and first is None:
        body_indent = indent_of(parsed.line(docstring.start_point.row, docstring))

    doc_at: Pos | None
    if lang.body == "python":
        colon = _colon(node, body)
        after_colon = parsed.end(colon) if colon is not None else parsed.start(body)
        body_start = parsed.end(docstring) if docstring is not None else after_colon
        body_end = parsed.end(node)
        has_doc = docstring is not None
        # A docstring needs the body on its own lines (`def f(): pass` stays as it is).
        doc_at = after_colon if body.start_point.row > (colon.end_point.row if colon else header_line) else None
    else:
        has_doc = _doc_comment_above(parsed, anchor)
        doc_at = Pos(anchor.start_point.row, 0)
        if lang.body == "ruby":
            body_start, body_end = _ruby_body_range(parsed, node)
        else:
            body_start, body_end = parsed.start(body), parsed.end(body)
            if body.type == "arrow_expression_clause":  # C# `=> expr;`: the `;` goes with it
                semicolon = body.next_sibling
                if semicolon is not None and semicolon.type == ";":
                    body_end = parsed.end(semicolon)
    return FunctionSite(
        name=name,
        qualname=_qualname(parsed, node, name),
        header_line=header_line,
        anchor_line=anchor.start_point.row,
        end_line=node.end_point.row,
        header_indent=header_indent,
        body_indent=body_indent,
        has_doc=has_doc,
        is_stub=_is_stub(parsed, statements),
        body_start=body_start,
        body_end=body_end,
        doc_at=doc_at,
        lines=(anchor.start_point.row, node.end_point.row),
    )


def _colon(node: Node, body: Node) -> Node | None:
    colon = None
    for child in node.children:
        if child.id == body.id:
            break
        if child.type == ":":
            colon = child
    return colon


def _ruby_body_range(parsed: Parsed, node: Node) -> tuple[Pos, Pos]:
    """From after the signature to the start of `end`."""
    end_kw = next((c for c in reversed(node.children) if c.type == "end"), None)
    signature_end = node.child_by_field_name("parameters") or node.child_by_field_name("name")
    start = parsed.end(signature_end) if signature_end is not None else parsed.start(node)
    end = parsed.start(end_kw) if end_kw is not None else parsed.end(node)
    return start, end


def _doc_comment_above(parsed: Parsed, anchor: Node) -> bool:
    previous = anchor.prev_sibling
    if previous is None or previous.type not in _COMMENT:
        return False
    if previous.end_point.row < anchor.start_point.row - 1:
        return False  # a comment further up, with a blank line between, is not this function's
    text = parsed.text(previous).lstrip()
    return text.startswith(parsed.lang.doc.accepts)


# -- answers ------------------------------------------------------------------------------------


class AnswerUnparsable(ValueError):
    """The function in a model's answer has syntax errors of its own."""


def answer_function(lang: Language, code: str, name: str) -> tuple[Parsed, Node] | None:
    """The function called `name` in a model's answer (else its first function), or None."""
    parsed = parse(lang, code)
    functions = function_nodes(parsed)
    for node in functions:
        if function_name(parsed, node) == name:
            return parsed, node
    return (parsed, functions[0]) if functions else None


def answer_body(lang: Language, site: FunctionSite, code: str, eol: str) -> str:
    """The text that replaces site.body_start..body_end, from an answer that is either the whole
    function (its body is taken) or just the body's statements."""
    found = answer_function(lang, code, site.name)
    if found is not None and found[1].has_error:
        raise AnswerUnparsable(f"the answer's {found[1].type.replace('_', ' ')} does not parse as {lang.name}")
    if lang.body == "python":
        statements = code
        if found is not None:
            parsed, node = found
            body = node.child_by_field_name("body")
            kept = [s for s in body.named_children] if body is not None else []
            if site.has_doc and kept and _docstring(parsed, kept) is not None:
                kept = kept[1:]
            if not kept:
                return ""
            first_row = kept[0].start_point.row
            statements = "\n".join(split_lines(parsed.data.decode("utf-8", errors="replace"))[first_row : node.end_point.row + 1])
            if kept[0].start_point.row == node.start_point.row:  # `def f(): return 1`
                statements = parsed.text(body)
        elif site.has_doc:
            statements = _drop_leading_docstring(statements)
        if not statements.strip():
            return ""
        return eol + reindent(statements, site.body_indent, eol)
    if found is not None:
        parsed, node = found
        body = _body(parsed, node)
        assert body is not None
        if lang.body == "ruby":
            inner = [c for c in node.children if c.type == "body_statement"]
            if not inner:
                return ""
            lines = split_lines(parsed.data.decode("utf-8", errors="replace"))[inner[0].start_point.row : inner[0].end_point.row + 1]
            return eol + reindent("\n".join(lines), site.body_indent, eol) + eol + site.header_indent
        own_indent = indent_of(parsed.line(node.start_point.row, node))
        lines = split_lines(parsed.text(body))
        rest = [line[len(own_indent) :] if line.startswith(own_indent) else line.lstrip() for line in lines[1:]]
        text = eol.join([lines[0], *[(site.header_indent + line) if line.strip() else "" for line in rest]])
        if body.type == "arrow_expression_clause":
            text += ";"
        if not _SPACE.sub("", text).strip("{}=>;"):
            return ""
        return text
    if not code.strip():
        return ""
    if lang.body == "ruby":
        return eol + reindent(code, site.body_indent, eol) + eol + site.header_indent
    return "{" + eol + reindent(code, site.body_indent, eol) + eol + site.header_indent + "}"


def _drop_leading_docstring(code: str) -> str:
    lines = dedent(split_lines(code))
    stripped = "\n".join(lines).lstrip("\n")
    for quote in ('"""', "'''"):
        if stripped.startswith(quote):
            end = stripped.find(quote, 3)
            if end >= 0:
                return stripped[end + 3 :].lstrip("\n")
    return code
