from codefloor.actions.edits import Pos, apply_edits
from codefloor.actions.generate import Doc, NothingToApply, add_docstring, edit_selection, fix_problem, generate_body, write_tests
from codefloor.actions.offers import ActionKind, Problem, list_offers

import pytest

from codefloor.actions.languages import PYTHON
from codefloor.actions.source import parse

TEXT = 'def greet(name: str) -> str:\n    """Say hi 👋 to 名前."""\n    pass\n\n\ndef add(a, b):\n    return a + b\n'


def doc(text=TEXT, path="/proj/pkg/util.py"):
    return Doc(uri="file://" + path, path=path, text=text, language_id="python", version=3)


def _parsed(text=TEXT):
    return parse(PYTHON, text)


def test_offers_for_stub_function_and_diagnostic():
    problem = Problem("undefined name 'x'", Pos(6, 4), Pos(6, 5))
    offers = list_offers(_parsed(), path="/p/util.py", start=Pos(2, 4), problems=[problem])
    kinds = [o.kind for o in offers]
    assert kinds == [ActionKind.FIX_DIAGNOSTIC, ActionKind.GENERATE_BODY]
    assert offers[0].label == "Fix: undefined name 'x'"
    real = [o.kind for o in list_offers(_parsed(), path="/p/util.py", start=Pos(6, 0), problems=[])]
    assert real == [ActionKind.ADD_DOCSTRING, ActionKind.WRITE_TESTS]


def test_generate_body_keeps_docstring_and_reindents_fenced_answer():
    job = generate_body(doc(), 2)
    answer = 'Here you go:\n```python\ndef greet(name: str) -> str:\n    """Say hi."""\n    return f"hi {name}"\n```\nDone.'
    [edit] = job.finish(answer)
    assert apply_edits(TEXT, edit.edits) == TEXT.replace("    pass\n", '    return f"hi {name}"\n')
    assert "greet" in job.chat.messages[1].content


def test_generate_body_with_empty_answer_applies_nothing():
    with pytest.raises(NothingToApply):
        generate_body(doc(), 2).finish("```python\n```")


def test_add_docstring_inserts_after_header():
    [edit] = add_docstring(doc(), 6).finish('"""Add two numbers."""')
    assert apply_edits(TEXT, edit.edits).endswith('def add(a, b):\n    """Add two numbers."""\n    return a + b\n')


def test_write_tests_creates_then_appends(tmp_path):
    missing = write_tests(doc(), 6, folder_root="/proj", is_dir=lambda p: p == "/proj/tests", read_file=lambda p: None)
    [created] = missing.finish("```python\nfrom pkg.util import add\n\ndef test_add():\n    assert add(1, 2) == 3\n```")
    assert created.create and created.uri == "file:///proj/tests/test_util.py"
    assert created.edits[0].new_text.startswith("from pkg.util import add")
    assert "pkg.util" in missing.chat.messages[1].content

    existing = "import pytest\n"
    more = write_tests(doc(), 6, folder_root="/proj", is_dir=lambda p: False, read_file=lambda p: existing)
    [appended] = more.finish("def test_more():\n    assert True")
    assert not appended.create and appended.uri == "file:///proj/pkg/test_util.py"
    assert apply_edits(existing, appended.edits) == "import pytest\n\n\ndef test_more():\n    assert True\n"


def test_fix_replaces_the_excerpt_and_edit_selection_mid_line():
    text = "a = 1\nb = undefined\nc = 3\n"
    problem = Problem("undefined name", Pos(1, 4), Pos(1, 13))
    [edit] = fix_problem(doc(text), problem, margin=1).finish("```\na = 1\nb = a\nc = 3\n```")
    assert apply_edits(text, edit.edits) == "a = 1\nb = a\nc = 3\n"
    [sel] = edit_selection(doc(text), Pos(1, 4), Pos(1, 13), "use a").finish("  a + 1")
    assert apply_edits(text, sel.edits) == "a = 1\nb = a + 1\nc = 3\n"
    with pytest.raises(NothingToApply):
        edit_selection(doc(text), Pos(1, 4), Pos(1, 13), "  ")
