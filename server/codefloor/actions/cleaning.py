"""Turn a model's answer into code: take the fenced block, drop prose, fix indentation."""

from __future__ import annotations

import re
import textwrap

_FENCE = re.compile(r"```[^\n`]*\n(.*?)(?:(?<=\n)```|\Z)", re.S)


def extract_code(answer: str) -> str:
    """The code in `answer`: the first fenced block if there is one, else the whole text.

    Models often wrap code in ``` fences and add a sentence before or after it; neither belongs
    in the user's file. Trailing whitespace lines are removed; leading indentation is kept.
    """
    match = _FENCE.search(answer)
    code = match.group(1) if match else answer
    lines = code.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(line.rstrip() for line in lines)


def reindent(code: str, indent: str) -> str:
    """Dedent `code` and indent every non-blank line with `indent`."""
    dedented = textwrap.dedent(code)
    return "\n".join((indent + line) if line.strip() else "" for line in dedented.split("\n"))


def strip_function_header(code: str, name: str) -> str:
    """If the model returned the whole function, keep only its body (decorators and `def` dropped)."""
    lines = code.split("\n")
    pattern = re.compile(rf"^\s*(async\s+)?def\s+{re.escape(name)}\s*\(")
    for i, line in enumerate(lines):
        if pattern.match(line):
            # The header may span lines: it ends at the first line ending with ':' (comments aside).
            for j in range(i, len(lines)):
                if lines[j].split("#", 1)[0].rstrip().endswith(":"):
                    return textwrap.dedent("\n".join(lines[j + 1 :]))
            return code
        if line.strip() and not line.lstrip().startswith("@"):
            break
    return code


def strip_leading_docstring(code: str) -> str:
    """Remove a docstring at the top of a generated body (the function already has one)."""
    stripped = textwrap.dedent(code).lstrip("\n")
    for quote in ('"""', "'''"):
        if stripped.startswith(quote):
            end = stripped.find(quote, 3)
            if end >= 0:
                return stripped[end + 3 :].lstrip("\n")
    return code


def docstring_text(answer: str) -> str:
    """The docstring's content from an answer that may be bare text, a quoted string or a fenced block."""
    text = extract_code(answer).strip()
    for quote in ('"""', "'''"):
        if text.startswith(quote):
            end = text.find(quote, 3)
            text = text[3:end] if end >= 0 else text[3:]
            break
    text = textwrap.dedent(text).strip("\n")
    return text.replace('"""', r"\"\"\"")


def format_docstring(content: str, indent: str) -> str:
    lines = content.strip().split("\n")
    if len(lines) == 1:
        return f'{indent}"""{lines[0].strip()}"""'
    body = textwrap.dedent("\n".join(lines[1:]))
    out = [f'{indent}"""{lines[0].strip()}']
    out += [(indent + line) if line.strip() else "" for line in body.split("\n")]
    out.append(f'{indent}"""')
    return "\n".join(out)
