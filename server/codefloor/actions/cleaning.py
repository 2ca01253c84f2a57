"""Turn a model's answer into text for the document: take the fenced block, drop prose, shape a
doc comment in the language's convention. Cutting an answer to a function is source.answer_body."""

from __future__ import annotations

import re

from codefloor.actions.languages import Language
from codefloor.actions.lines import dedent, split_lines
from codefloor.providers.fim import fenced_block


def extract_code(answer: str) -> str:
    """The code in `answer`: the first fenced block if there is one, else the whole text.

    Models often wrap code in ``` fences and add a sentence before or after it; neither belongs
    in the user's file. Leading and trailing blank lines and trailing spaces are removed.
    """
    fenced = fenced_block(answer)
    code = fenced if fenced is not None else answer
    lines = split_lines(code)
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(line.rstrip() for line in lines)


_MARKERS = re.compile(r"^\s*(/\*\*+|/\*!|/\*|\*/|\*(?!/)|///?|//!|#)\s?")


def comment_text(answer: str, lang: Language) -> str:
    """The doc comment's words from an answer that may be bare text, a quoted docstring, or an
    already-formatted comment (its markers are removed: they are added back in the convention)."""
    text = extract_code(answer).strip()
    if lang.doc.kind == "docstring":
        for quote in ('"""', "'''"):
            if text.startswith(quote):
                end = text.find(quote, 3)
                text = text[3:end] if end >= 0 else text[3:]
                break
        return "\n".join(dedent(split_lines(text))).strip("\n").replace('"""', r"\"\"\"")
    lines = split_lines(text)
    if lines and all(_MARKERS.match(line) or not line.strip() for line in lines):
        lines = [_MARKERS.sub("", line, count=1).rstrip() for line in lines]
        lines = [line[:-2].rstrip() if line.endswith("*/") else line for line in lines]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(dedent(lines)).replace("*/", "*\\/")


def format_doc(content: str, lang: Language, indent: str, eol: str) -> str:
    """The doc comment as it goes into the file, every line indented, joined with `eol`."""
    lines = split_lines(content.strip())
    style = lang.doc
    if style.kind == "docstring":
        if len(lines) == 1:
            return f'{indent}"""{lines[0].strip()}"""'
        out = [f'{indent}"""{lines[0].strip()}']
        out += [(indent + line) if line.strip() else "" for line in dedent(lines[1:])]
        out.append(f'{indent}"""')
        return eol.join(out)
    if style.kind == "block":
        if len(lines) == 1:
            return f"{indent}/** {lines[0].strip()} */"
        return eol.join([f"{indent}/**", *[f"{indent} * {line}".rstrip() for line in lines], f"{indent} */"])
    if lang.key == "csharp" and "<summary>" not in content:
        lines = ["<summary>", *lines, "</summary>"]
    return eol.join(f"{indent}{style.prefix}{line}".rstrip() for line in lines)
