"""Issue 13 item 1: "Write tests" reads a project file only if it is a regular file inside the
workspace folder after resolving symlinks, below the size cap, valid UTF-8; anything else is
refused with a message, and nothing of it reaches the prompt."""

from __future__ import annotations

import os

import pytest

from codefloor.actions.files import FileRefused, is_dir_inside, read_project_file
from codefloor.actions.generate import Doc, NothingToApply, write_tests

SECRET = "sk-ant-SECRET-0123456789"
SOURCE = "def add(a, b):\n    return a + b\n"


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    (root / "tests").mkdir(parents=True)
    (root / "mod.py").write_text(SOURCE, encoding="utf-8")
    outside = tmp_path / "home" / ".config" / "codefloor"
    outside.mkdir(parents=True)
    (outside / "config.toml").write_text(f'[anthropic]\napi_key = "{SECRET}"\n', encoding="utf-8")
    return root, outside / "config.toml"


def _job(root, read_file=None):
    doc = Doc((root / "mod.py").as_uri(), str(root / "mod.py"), SOURCE, "python", 1)
    return write_tests(
        doc, 1, folder_root=str(root), is_dir=lambda p: is_dir_inside(p, str(root)),
        read_file=read_file or (lambda p: read_project_file(p, str(root))),
    )


def test_a_test_file_symlinked_out_of_the_workspace_is_never_read(project):
    root, config = project
    (root / "tests" / "test_mod.py").symlink_to(config)
    with pytest.raises(NothingToApply) as caught:
        _job(root)
    assert "outside the workspace folder" in str(caught.value) and SECRET not in str(caught.value)


@pytest.mark.parametrize("target", ["/proc/self/environ", "/proc/self/fd/0", "/dev/zero"])
def test_links_to_proc_and_devices_are_refused_without_reading(project, target):
    root, _ = project
    (root / "tests" / "test_mod.py").symlink_to(target)
    with pytest.raises(FileRefused, match="outside the workspace folder"):
        read_project_file(str(root / "tests" / "test_mod.py"), str(root))


def test_fifo_directory_large_and_undecodable_files_are_refused(project):
    root, _ = project
    os.mkfifo(root / "tests" / "fifo.py")
    with pytest.raises(FileRefused, match="not a regular file"):
        read_project_file(str(root / "tests" / "fifo.py"), str(root))  # returns at once: no open() of a FIFO
    (root / "tests" / "dir.py").mkdir()
    with pytest.raises(FileRefused, match="not a regular file"):
        read_project_file(str(root / "tests" / "dir.py"), str(root))
    (root / "big.py").write_bytes(b"x" * 2000)
    with pytest.raises(FileRefused, match="limit"):
        read_project_file(str(root / "big.py"), str(root), max_bytes=1000)
    (root / "latin1.py").write_bytes("caf\xe9 = 1\n".encode("latin-1"))
    with pytest.raises(FileRefused, match="not valid UTF-8"):
        read_project_file(str(root / "latin1.py"), str(root))
    with pytest.raises(FileRefused, match="no workspace folder"):
        read_project_file(str(root / "mod.py"), None)


def test_regular_files_inside_are_read_and_missing_ones_are_none(project):
    root, _ = project
    (root / "tests" / "test_mod.py").write_text("import pytest\n", encoding="utf-8")
    assert read_project_file(str(root / "tests" / "test_mod.py"), str(root)) == "import pytest\n"
    assert read_project_file(str(root / "tests" / "nope.py"), str(root)) is None
    (root / "inner").symlink_to(root / "tests")  # a link that stays inside is fine
    assert read_project_file(str(root / "inner" / "test_mod.py"), str(root)) == "import pytest\n"
    job = _job(root)
    assert "import pytest" in job.chat.messages[1].content


def test_a_tests_directory_linked_outside_is_not_used_for_placement(project, tmp_path):
    root, config = project
    os.rmdir(root / "tests")
    (root / "tests").symlink_to(config.parent)
    job = _job(root)
    [edit] = job.finish("def test_add():\n    assert add(1, 2) == 3")
    assert edit.uri == (root / "test_mod.py").as_uri()  # beside the source, not through the link
    assert SECRET not in job.chat.messages[1].content
