"""The languages the AI actions understand, as data: grammar, function nodes, stub idioms, doc style.

Each entry is read by source.py (one implementation on tree-sitter for all of them) and by
test_paths.py (where tests go, with which framework). Adding a language is adding an entry here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

# A message that marks a placeholder: panic("TODO"), throw new Error("not implemented")...
STUB_MESSAGE = re.compile(r"(?i)not.?(yet.?)?implemented|unimplemented|\btodo\b|implement.?me|^[\"'`]?todo")


@dataclass(frozen=True)
class DocStyle:
    kind: str  # "docstring" (inside the body), "block" (/** ... */), "lines" (a prefix on each line)
    prefix: str = ""  # for "lines": "// ", "/// ", "# "
    convention: str = ""  # what the prompt asks for
    accepts: tuple[str, ...] = ()  # an existing comment starting with one of these is a doc comment


@dataclass(frozen=True)
class Language:
    key: str
    name: str  # as the prompt names it
    grammar: str  # tree-sitter-language-pack name
    extensions: tuple[str, ...]
    language_ids: tuple[str, ...]  # LSP languageId values
    functions: frozenset[str]  # node types that are functions or methods with a body
    containers: frozenset[str]  # node types whose name prefixes a method's qualname
    wrappers: frozenset[str]  # parents that belong to the function (decorators, export, template)
    doc: DocStyle
    stubs: tuple[re.Pattern[str], ...]  # whole statement, whitespace removed
    body: str = "braces"  # "braces", "python" (indented block), "ruby" (... end)
    indent_unit: str = "    "
    comment_prefixes: tuple[str, ...] = ("//", "/*")
    extra: dict = field(default_factory=dict, compare=False)


def _p(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p + r";?\Z") for p in patterns)


_JSDOC = DocStyle("block", convention="a JSDoc comment (/** ... */ with @param and @returns tags)", accepts=("/**",))
_JS_STUBS = _p(r"thrownew(Error|NotImplementedError)\((?P<msg>.*)\)")
_JS_FUNCTIONS = frozenset(
    {"function_declaration", "generator_function_declaration", "method_definition", "function_expression", "arrow_function", "function"}
)
_JS_CONTAINERS = frozenset({"class_declaration", "class", "abstract_class_declaration"})

PYTHON = Language(
    "python", "Python", "python", (".py", ".pyi"), ("python",),
    frozenset({"function_definition"}), frozenset({"class_definition"}), frozenset({"decorated_definition"}),
    DocStyle("docstring", convention="a PEP 257 docstring (one summary line, then details only if needed)"),
    _p(r"pass", r"\.\.\.", r"raise(NotImplementedError|NotImplemented)(\(.*\))?"),
    body="python", comment_prefixes=("#",),
)
TYPESCRIPT = Language(
    "typescript", "TypeScript", "typescript", (".ts", ".mts", ".cts"), ("typescript",),
    _JS_FUNCTIONS, _JS_CONTAINERS, frozenset({"export_statement"}),
    DocStyle("block", convention="a TSDoc comment (/** ... */ with @param and @returns tags)", accepts=("/**",)), _JS_STUBS, indent_unit="  ",
)
TSX = Language(
    "tsx", "TypeScript (TSX)", "tsx", (".tsx",), ("typescriptreact",),
    _JS_FUNCTIONS, _JS_CONTAINERS, frozenset({"export_statement"}), TYPESCRIPT.doc, _JS_STUBS, indent_unit="  ",
)
JAVASCRIPT = Language(
    "javascript", "JavaScript", "javascript", (".js", ".mjs", ".cjs", ".jsx"), ("javascript", "javascriptreact"),
    _JS_FUNCTIONS, _JS_CONTAINERS, frozenset({"export_statement"}), _JSDOC, _JS_STUBS, indent_unit="  ",
)
GO = Language(
    "go", "Go", "go", (".go",), ("go",),
    frozenset({"function_declaration", "method_declaration"}), frozenset(), frozenset(),
    DocStyle("lines", "// ", "a Go doc comment (// lines starting with the function's name)", ("//",)),
    _p(r"panic\((?P<msg>.*)\)"), indent_unit="\t",
)
RUST = Language(
    "rust", "Rust", "rust", (".rs",), ("rust",),
    frozenset({"function_item"}), frozenset({"impl_item", "trait_item", "mod_item"}), frozenset(),
    DocStyle("lines", "/// ", "a rustdoc comment (/// lines; # Examples / # Panics / # Errors sections only if useful)", ("///", "/**")),
    _p(r"todo!\(.*\)", r"unimplemented!\(.*\)", r"panic!\((?P<msg>.*)\)"),
)
JAVA = Language(
    "java", "Java", "java", (".java",), ("java",),
    frozenset({"method_declaration", "constructor_declaration", "compact_constructor_declaration"}),
    frozenset({"class_declaration", "interface_declaration", "enum_declaration", "record_declaration"}), frozenset(),
    DocStyle("block", convention="a Javadoc comment (/** ... */ with @param, @return and @throws tags)", accepts=("/**",)),
    _p(r"thrownewUnsupportedOperationException\(.*\)", r"thrownew(RuntimeException|IllegalStateException)\((?P<msg>.*)\)"),
)
C = Language(
    "c", "C", "c", (".c", ".h"), ("c",),
    frozenset({"function_definition"}), frozenset(), frozenset(),
    DocStyle("block", convention="a Doxygen comment (/** ... */ with @brief, @param and @return)", accepts=("/**", "/*!", "///", "//!")),
    _p(r"abort\(\)", r"assert\((0|false)&&(?P<msg>.*)\)"),
)
CPP = Language(
    "cpp", "C++", "cpp", (".cc", ".cpp", ".cxx", ".hpp", ".hh", ".hxx"), ("cpp",),
    frozenset({"function_definition"}), frozenset({"class_specifier", "struct_specifier", "namespace_definition"}),
    frozenset({"template_declaration"}),
    C.doc,
    _p(r"throwstd::(logic_error|runtime_error)\((?P<msg>.*)\)", r"abort\(\)", r"std::abort\(\)"),
)
CSHARP = Language(
    "csharp", "C#", "csharp", (".cs",), ("csharp",),
    frozenset({"method_declaration", "constructor_declaration", "local_function_statement"}),
    frozenset({"class_declaration", "struct_declaration", "interface_declaration", "record_declaration"}), frozenset(),
    DocStyle("lines", "/// ", "an XML documentation comment (/// <summary>...</summary>, <param>, <returns>)", ("///",)),
    _p(r"thrownew(System\.)?NotImplementedException\(.*\)"),
)
RUBY = Language(
    "ruby", "Ruby", "ruby", (".rb",), ("ruby",),
    frozenset({"method", "singleton_method"}), frozenset({"class", "module"}), frozenset(),
    DocStyle("lines", "# ", "a YARD comment (# lines with @param and @return tags)", ("#",)),
    _p(r"(raise|fail)NotImplementedError.*", r"(raise|fail)\(?(?P<msg>[\"'].*)"),
    body="ruby", indent_unit="  ", comment_prefixes=("#",),
)

LANGUAGES = (PYTHON, TYPESCRIPT, TSX, JAVASCRIPT, GO, RUST, JAVA, C, CPP, CSHARP, RUBY)
_BY_ID = {lid: lang for lang in LANGUAGES for lid in lang.language_ids}
_BY_EXT = {ext: lang for lang in LANGUAGES for ext in lang.extensions}


def language_for(language_id: str | None, path: str) -> Language | None:
    """The language of a document: its file extension first (a .tsx file needs the TSX grammar
    whatever the client calls it), then the editor's languageId."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in _BY_EXT:
        if suffix == ".h" and language_id == "cpp":
            return CPP
        return _BY_EXT[suffix]
    return _BY_ID.get(language_id or "")
