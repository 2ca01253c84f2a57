"""Real Vim 9 (Debian's vim, `vim -es`) with ALE (Debian's vim-ale 3.3) and the docs/editors.md
snippet as its vimrc, driving `codefloor serve` against a loopback provider: the pushed settings
reach the server, a code action is listed and applied (ALE has no resolve: the command path and
workspace/applyEdit), the written lines are hovered after ALE's whole-document didChange, and a
completion comes back; a second project with a buffer-local floor gets its own server and floor.
The driver is tests/editors/vim_ale_e2e.vim."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.editors import common

pytestmark = pytest.mark.vim
DRIVER = Path(__file__).with_name("vim_ale_e2e.vim")


def test_vim_ale_with_the_documented_config_pushes_the_floor_applies_hovers_and_completes(tmp_path, fake, closed_port):
    vim = shutil.which("vim")
    assert vim, "Vim is required for this test: install Debian's 'vim' and 'vim-ale' packages (.ci/run does)"
    s = common.session(tmp_path, fake, closed_port)
    other = tmp_path / "other"  # a second project (its own root, so its own server)
    other.mkdir()
    (other / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    (other / "stub.py").write_text(common.STUB, encoding="utf-8")
    s.env["CODEFLOOR_TEST_FILE2"] = str(other / "stub.py")
    vimrc = tmp_path / "vimrc"
    vimrc.write_text(common.snippet("Vim 8.2+ / 9 (ALE)", "vim", 0), encoding="utf-8")
    fake.script(common.BODY_ANSWER, common.COMPLETION_ANSWER)

    report, _ = common.run_editor([vim, "-N", "-u", str(vimrc), "-i", "NONE", "-n", "-es", str(s.source), "-S", str(DRIVER)], s)

    assert report["filetype"] == "python"
    # the snippet's floor (70), pushed by ALE with didChangeConfiguration
    assert any("minCodingScore 70" in line for line in common.floor_log_lines(report)), report["log"]
    assert "Generate body · test-strong (85 ≥ 70)" in report["titles"], report
    assert report["chosen_is"] == "command"  # no codeAction/resolve in ALE: the command path
    assert report["after_action"][:3] == common.BODY_LINES
    # ALE sends the whole text on every change; the server still finds what it wrote, and the
    # hover is plain text (ALE accepts no markdown)
    assert "test-strong" in report["hover"] and "floor 70" in report["hover"], report["hover"]
    assert "**" not in report["hover"] and "`" not in report["hover"], report["hover"]
    assert report["completion"] == ["42"]
    assert report["after_completion"][-1] == "VALUE = 42"
    # ALE advertises no progress, so the server sent none; codefloor/status is ignored silently
    assert not {"window/workDoneProgress/create", "$/progress"} & set(report["server_methods"]), report["server_methods"]
    assert "workspace/applyEdit" in report["server_methods"]
    assert not [m for m in report["messages"] if "rror" in m or "codefloor" in m], report["messages"]
    assert [r.body["model"] for r in fake.requests] == ["test-strong-wire"] * 2
    # per project: the second root got its own server and its buffer-local floor
    first, second = report["second_connection"]
    assert first != second and second.endswith(str(other)), report["second_connection"]
    assert "Generate body · test-strong (85 ≥ 80)" in report["second_titles"], report
