from codefloor.actions.languages import PYTHON
from codefloor.actions.test_paths import module_import, plan_tests


def file_for(source, root, is_dir):
    return plan_tests(PYTHON, source, root, is_dir, lambda p: None).path


def test_tests_dir_wins_else_sibling_and_test_files_map_to_themselves():
    assert file_for("/p/src/pkg/mod.py", "/p", lambda d: d == "/p/tests") == "/p/tests/test_mod.py"
    assert file_for("/p/pkg/mod.py", "/p", lambda d: False) == "/p/pkg/test_mod.py"
    assert file_for("/p/tests/test_mod.py", "/p", lambda d: True) == "/p/tests/test_mod.py"


def test_module_import_handles_src_layout_and_packages():
    assert module_import("/p/src/pkg/mod.py", "/p") == "pkg.mod"
    assert module_import("/p/pkg/__init__.py", "/p") == "pkg"
    assert module_import("/elsewhere/x.py", "/p") == "x"
