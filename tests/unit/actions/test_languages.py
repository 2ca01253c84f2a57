"""Every action in every language, on real-looking source (LF and CRLF, non-ASCII names and
strings, a syntax error further down): offered where it applies and not elsewhere, the prompt
names the language and its conventions, the applied edit, and an answer that breaks the parse
rejected before anything is applied."""

from __future__ import annotations

import pytest

from codefloor.actions.edits import apply_edits
from codefloor.actions.generate import Doc, add_docstring, generate_body, write_tests
from codefloor.actions.languages import language_for
from codefloor.actions.lines import split_lines
from codefloor.actions.offers import ActionKind, list_offers
from codefloor.actions.source import error_count, parse
from codefloor.actions.edits import Pos
from tests.unit.actions.samples import SAMPLES, Sample

CASES = [pytest.param(s, eol, id=f"{s.key}-{'crlf' if eol == chr(13) + chr(10) else 'lf'}") for s in SAMPLES for eol in ("\n", "\r\n")]


def _doc(sample: Sample, eol: str) -> Doc:
    text = sample.text.replace("\n", eol)
    return Doc("file://" + sample.path, sample.path, text, sample.language_id, 1)


def _kinds(doc: Doc, line: int) -> list[ActionKind]:
    lang = language_for(doc.language_id, doc.path)
    return [o.kind for o in list_offers(parse(lang, doc.text), path=doc.path, start=Pos(line, 2), problems=[])]


@pytest.mark.parametrize("sample,eol", CASES)
def test_offers_only_where_they_apply(sample, eol):
    doc = _doc(sample, eol)
    assert _kinds(doc, sample.stub) == [ActionKind.GENERATE_BODY, ActionKind.ADD_DOCSTRING]
    assert _kinds(doc, sample.real) == [ActionKind.ADD_DOCSTRING, ActionKind.WRITE_TESTS]
    assert _kinds(doc, sample.outside) == []


@pytest.mark.parametrize("sample,eol", CASES)
def test_generate_body_prompt_edit_and_rejected_answer(sample, eol):
    doc = _doc(sample, eol)
    lang = language_for(doc.language_id, doc.path)
    job = generate_body(doc, sample.stub)
    prompt = job.chat.messages[1].content
    assert lang.name in prompt and sample.stub_name in prompt and f"```{lang.key}" in prompt

    assert job.rejects(sample.body_answer) is None
    [edit] = job.finish(sample.body_answer)
    after = apply_edits(doc.text, edit.edits)
    assert sample.body_line in split_lines(after)
    assert error_count(parse(lang, after).tree) == error_count(parse(lang, doc.text).tree)
    if eol == "\r\n":  # the document's line ending everywhere, no bare LF added
        assert after.count("\n") == after.count("\r\n")
    # only the stub's body changed: the other function is untouched
    assert split_lines(after)[-(len(split_lines(doc.text)) - sample.real) :] == split_lines(doc.text)[sample.real :]

    reason = job.rejects(sample.bad_answer)
    assert reason is not None and ("new parse error" in reason or "does not parse" in reason)


@pytest.mark.parametrize("sample,eol", CASES)
def test_add_doc_comment_in_the_language_convention(sample, eol):
    doc = _doc(sample, eol)
    lang = language_for(doc.language_id, doc.path)
    job = add_docstring(doc, sample.real)
    prompt = job.chat.messages[1].content
    assert lang.doc.convention in prompt and lang.name in prompt
    answer = "Add two numbers — 合計.\n\nReturns their sum."
    assert job.rejects(answer) is None
    [edit] = job.finish(answer)
    after = split_lines(apply_edits(doc.text, edit.edits))
    first = next(i for i, line in enumerate(after) if line.startswith(sample.doc_first))
    assert "Add two numbers — 合計." in "\n".join(after[first : first + 3])
    # the function now has its doc comment: Add doc comment is no longer offered there
    assert ActionKind.ADD_DOCSTRING not in _kinds(Doc(doc.uri, doc.path, apply_edits(doc.text, edit.edits), doc.language_id, 2), sample.real + 4)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.key for s in SAMPLES])
def test_write_tests_names_framework_and_places_the_file(sample):
    doc = _doc(sample, "\n")
    lang = language_for(doc.language_id, doc.path)
    job = write_tests(doc, sample.real, folder_root="/proj", is_dir=lambda p: False, read_file=lambda p: None)
    prompt = job.chat.messages[1].content
    assert lang.name in prompt
    [edit] = job.finish(f"```{lang.key}\n// the tests\n```" if lang.key not in ("python", "ruby") else "```\n# the tests\n```")
    expected = {
        "python": "file:///proj/pkg/test_gr%C3%BC%C3%9Fe.py",
        "typescript": "file:///proj/src/greet.test.ts",
        "tsx": "file:///proj/src/View.test.tsx",
        "javascript": "file:///proj/lib/util.test.js",
        "go": "file:///proj/greet/greet_test.go",
        "rust": "file:///proj/src/lib.rs",
        "java": "file:///proj/src/test/java/com/acme/GreeterTest.java",
        "c": "file:///proj/src/test_greet.c",
        "cpp": "file:///proj/src/greet_test.cpp",
        "csharp": "file:///proj/src/GreeterTests.cs",
        "ruby": "file:///proj/test/test_greeter.rb",
    }[sample.key]
    assert edit.uri == expected
    framework = {"python": "pytest", "go": "go test", "rust": "#[cfg(test)] mod tests", "java": "JUnit 5", "cpp": "GoogleTest",
                 "csharp": "xUnit", "ruby": "Minitest", "c": "assert.h", "typescript": "node:test", "tsx": "node:test", "javascript": "node:test"}[sample.key]
    assert framework in prompt
    if sample.key == "rust":  # appended to the file in a new test module
        after = apply_edits(doc.text, edit.edits)
        assert "#[cfg(test)]\nmod tests {\n    use super::*;\n\n    // the tests\n}\n" in after


def test_js_framework_follows_package_json_and_rust_reuses_its_test_module():
    sample = next(s for s in SAMPLES if s.key == "typescript")
    doc = _doc(sample, "\n")
    files = {"/proj/package.json": '{"devDependencies": {"vitest": "^2"}}'}
    job = write_tests(doc, sample.real, folder_root="/proj", is_dir=lambda p: False, read_file=files.get)
    assert "vitest" in job.chat.messages[1].content
    files = {"/proj/src/package.json": '{"devDependencies": {"jest": "^29"}}'}
    job = write_tests(doc, sample.real, folder_root="/proj", is_dir=lambda p: False, read_file=files.get)
    assert "Jest" in job.chat.messages[1].content

    text = "pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n"
    doc = Doc("file:///p/src/lib.rs", "/p/src/lib.rs", text, "rust", 1)
    job = write_tests(doc, 1, folder_root="/p", is_dir=lambda p: False, read_file=lambda p: None)
    [edit] = job.finish("```rust\n#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn adds() { assert_eq!(add(1, 2), 3); }\n}\n```")
    after = apply_edits(text, edit.edits)
    assert after.count("mod tests") == 1 and "    #[test]\n    fn adds() { assert_eq!(add(1, 2), 3); }\n}" in after
    assert job.rejects("```rust\n#[test]\nfn adds( {\n```") is not None


@pytest.mark.parametrize(
    "key,body,stub",
    [
        ("python", "    pass", True), ("python", "    ...", True), ("python", "    raise NotImplementedError('x')", True),
        ("python", "    # TODO\n    pass", True), ("python", "    return 1", False),
        ("rust", "    unimplemented!()", True), ("rust", '    panic!("not implemented")', True), ("rust", '    panic!("bad input")', False),
        ("go", '\tpanic("not implemented")', True), ("go", '\tpanic(err)', False), ("go", "", True), ("go", "\t// TODO: later", True),
        ("go", "\t// nothing to do", False),
        ("javascript", '  throw new Error("Not implemented yet");', True), ("javascript", '  throw new Error("bad");', False),
        ("csharp", "    throw new NotImplementedException();", True), ("java", '    throw new UnsupportedOperationException("later");', True),
        ("ruby", "  raise NotImplementedError, 'x'", True), ("ruby", "  42", False), ("c", "    return 0; // TODO", True),
    ],
)
def test_stub_idioms(key, body, stub):
    templates = {
        "python": "def f(x):\n{body}\n", "rust": "fn f() -> i32 {{\n{body}\n}}\n", "go": "package p\n\nfunc f() int {{\n{body}\n}}\n",
        "javascript": "function f() {{\n{body}\n}}\n", "csharp": "class A {{\n  int F() {{\n{body}\n  }}\n}}\n",
        "java": "class A {{\n  int f() {{\n{body}\n  }}\n}}\n", "ruby": "def f\n{body}\nend\n", "c": "int f(void) {{\n{body}\n}}\n",
    }
    text = templates[key].format(body=body)
    lang = next(s for s in SAMPLES if s.key == key)
    line = next(i for i, l in enumerate(text.split("\n")) if "f(" in l or "F(" in l or l.startswith("def f"))
    from codefloor.actions.source import function_at

    site = function_at(parse(language_for(lang.language_id, lang.path), text), line)
    assert site is not None and site.is_stub is stub


def test_deep_expression_and_lone_cr_do_not_break_the_model():
    from codefloor.actions.source import function_at

    lang = language_for("python", "/a.py")
    deep = "x = " + " + ".join(f"'{i}'" for i in range(3000)) + "\n\ndef f():\n    pass\n"
    assert function_at(parse(lang, deep), 3).is_stub  # issue 13 item 9: no RecursionError
    text = "import os\r\rdef greet(name):\r    pass\r"
    site = function_at(parse(lang, text), 3)
    assert site is not None and site.header_line == 2 and site.body_end == Pos(3, 8)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.key for s in SAMPLES])
def test_row_start_finds_every_line_without_scanning_the_file(sample):
    from codefloor.actions.source import row_start

    text = "\n\n" + sample.text.replace("\n", "\r\n", 3) + '\n\n# """\n\n'
    lang = language_for(sample.language_id, sample.path)
    parsed = parse(lang, text)
    expected, offset = [], 0
    for line in parsed.data.split(b"\n"):
        expected.append(offset)
        offset += len(line) + 1
    assert [row_start(parsed.tree, parsed.data, row) for row in range(len(expected))] == expected


def test_tree_follows_edits_without_a_parse_until_the_edited_function_is_asked_for():
    from codefloor.actions.rope import Rope
    from codefloor.actions.source import function_at
    from codefloor.actions.trees import DocumentTrees

    text = "".join(f"def f{i}(x):\r\n    return x  # 名前\r\n\r\n" for i in range(50)) + "def last():\r\n    pass\r\n"
    rope = Rope(text)
    trees = DocumentTrees()
    get = lambda v: trees.get("u", text=rope, language_id="python", path="/m.py", version=v)
    get(1)
    # f10's body becomes a stub; a docstring (with an emoji) goes into f20; a new line above f30
    for version, (start, end, new) in enumerate([((31, 4), (31, 12), "pass"), ((60, 11), (60, 11), '\r\n    """Doc 👋."""'),
                                                 ((91, 0), (91, 0), "import os\r\n")], start=2):
        rope.replace(start, end, new)
        trees.change("u", version, rope)
    parsed = get(4)
    assert parsed.pending and trees.full_parses == 1
    far = function_at(parsed, 123)  # f40 (two lines further down now), untouched: from the edited tree, no parse
    assert far.name == "f40" and not far.is_stub and parsed.pending
    assert function_at(parsed, 153).name == "last" and parsed.pending  # shifted by the lines added above
    edited = function_at(parsed, 31)
    assert edited.name == "f10" and edited.is_stub  # re-parsed (incrementally) to see the edit
    assert function_at(get(4), 61).has_doc and trees.full_parses == 1
    expected = text.split("\r\n")
    expected[31] = "    pass  # 名前"
    expected[60] += '\r\n    """Doc 👋."""'
    expected = "\r\n".join(expected).replace("def f30(x):", "import os\r\ndef f30(x):")
    assert bytes(get(4).data).decode() == expected


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.key for s in SAMPLES])
def test_an_edit_inside_a_function_is_seen_without_reparsing_the_file(sample):
    """Turn the finished function into a stub by typing: the listing must see the stub, from a
    parse of that function alone where possible, else of the file (never a stale answer)."""
    from codefloor.actions.rope import Rope
    from codefloor.actions.source import function_at
    from codefloor.actions.trees import DocumentTrees

    trees = DocumentTrees()
    lang = language_for(sample.language_id, sample.path)
    rope = Rope(sample.text)
    get = lambda v: trees.get("u", text=rope, language_id=sample.language_id, path=sample.path, version=v)
    before = function_at(get(1), sample.real)
    assert not before.is_stub
    line = split_lines(sample.text)[sample.real]
    stub = {"python": "    pass", "typescript": '    throw new Error("TODO");', "tsx": "  // TODO", "javascript": '    throw new Error("not implemented");',
            "go": '\tpanic("TODO")', "rust": "        todo!()", "java": "        throw new UnsupportedOperationException();",
            "c": "    /* TODO */", "cpp": "int add(int a, int b) { /* TODO */ }", "csharp": "        throw new NotImplementedException();", "ruby": "    raise NotImplementedError"}[sample.key]
    if sample.key == "cpp":
        stub = "    " + stub
    rope.replace((sample.real, 0), (sample.real, len(line)), stub)
    trees.change("u", 2, rope)
    parsed = get(2)
    site = function_at(parsed, sample.real)
    assert site is not None and site.is_stub, (sample.key, site)
    fresh = parse(lang, bytes(parsed.data).decode())
    assert function_at(fresh, sample.real).is_stub and function_at(fresh, sample.real).body_start == site.body_start
