from codefloor.actions.edits import Pos
from codefloor.actions.python_source import function_at

SOURCE = '''import os


def parse(text: str) -> int:
    """Parse it."""
    ...


class Box:
    def size(self,
             scale: float) -> float:  # comment
        # TODO: compute
        pass

    def done(self):
        return 1


def one(): pass
'''


def test_stub_with_docstring_body_starts_after_docstring():
    site = function_at(SOURCE, 5)
    assert site is not None and site.name == "parse"
    assert site.is_stub and site.docstring == "Parse it."
    assert site.body_start == Pos(4, len('    """Parse it."""'))
    assert site.body_end == Pos(5, 7)
    assert site.body_indent == "    "


def test_method_with_multiline_header_and_todo():
    site = function_at(SOURCE, 12)
    assert site.qualname == "Box.size" and site.is_method and site.is_stub
    # the body replaces everything after the header's colon, TODO comment included
    assert site.body_start == Pos(10, len("             scale: float) -> float:  # comment"))
    assert site.body_indent == "        "


def test_real_function_is_not_a_stub_and_cursor_outside_is_none():
    assert function_at(SOURCE, 15).is_stub is False
    assert function_at(SOURCE, 0) is None
    assert function_at(SOURCE, 6) is None  # blank line between definitions


def test_one_liner_body_starts_after_colon():
    site = function_at(SOURCE, 18)
    assert site.is_stub and site.body_start == Pos(18, len("def one():"))


def test_syntax_error_below_the_function_still_finds_it():
    broken = "def f(x):\n    pass\n\ndef g(:\n"
    site = function_at(broken, 1)
    assert site is not None and site.name == "f"
