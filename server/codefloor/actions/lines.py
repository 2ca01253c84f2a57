"""The one line model, the LSP's: lines end at \\n, \\r\\n or \\r, nothing else.

`str.splitlines()` also breaks at \\f, \\v, \\x1c-\\x1e, \\x85, U+2028 and U+2029, and `split("\\n")`
keeps a \\r in the line and misses a lone \\r: both put edits on the wrong lines.
"""

from __future__ import annotations

import re

BREAK = re.compile(r"\r\n|\r|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # one line with its break


def split_lines(text: str) -> list[str]:
    """The lines of `text` without their terminators ("a\\r\\nb" -> ["a", "b"]; "a\\n" -> ["a", ""])."""
    return BREAK.split(text)


def lines_with_ends(text: str) -> tuple[str, ...]:
    """`text` cut after each line break ("a\\fb\\r\\nc" -> ("a\\fb\\r\\n", "c"); "a\\n" -> ("a\\n",))."""
    return tuple(_LINE.findall(text))


def line_ending(text: str) -> str:
    """The document's own line ending (its first one; "\\n" when it has none)."""
    match = BREAK.search(text)
    return match.group(0) if match else "\n"


def join(lines: list[str], eol: str) -> str:
    return eol.join(lines)


def with_ending(text: str, eol: str) -> str:
    """`text` with every line break replaced by `eol` (generated code takes the document's ending)."""
    return BREAK.sub(eol, text) if eol != "\n" or "\r" in text else text


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def dedent(lines: list[str]) -> list[str]:
    """Remove the common leading whitespace of the non-blank lines; blank lines become empty."""
    margins = [indent_of(line) for line in lines if line.strip()]
    if not margins:
        return ["" for _ in lines]
    common = margins[0]
    for margin in margins[1:]:
        while not margin.startswith(common):
            common = common[:-1]
    return [line[len(common) :] if line.strip() else "" for line in lines]


def reindent(code: str, indent: str, eol: str) -> str:
    """Dedent `code` and indent every non-blank line with `indent`, joined with `eol`."""
    return eol.join((indent + line) if line else "" for line in dedent(split_lines(code)))
