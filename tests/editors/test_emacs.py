"""Real Emacs (Debian's emacs-nox 28, `emacs --batch`) with the docs/editors.md snippets, for
eglot (elpa-eglot 1.9) and lsp-mode (elpa-lsp-mode 8.0), driving `codefloor serve` against a
loopback provider: settings reach the server, a code action is listed, applied and hovered, and a
completion is inserted. The drivers are tests/editors/emacs_*_e2e.el."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.editors import common

pytestmark = pytest.mark.emacs
HERE = Path(__file__).parent


def emacs() -> str:
    path = shutil.which("emacs")
    assert path, "Emacs is required for this test: install Debian's 'emacs-nox', 'elpa-eglot' and 'elpa-lsp-mode' (.ci/run does)"
    return path


def complaints(messages: list[str]) -> list[str]:
    """Echo-area lines where the client objected to something codefloor sent (flymake finding no
    Python checker here is not about codefloor)."""
    return [m for m in messages if re.search(r"unknown|error processing|unhandled|not supported|codefloor.*(fail|error)", m, re.I)]


def run(s: common.Session, init: str, driver: str) -> dict:
    init_file = s.work.parent / "init.el"
    init_file.write_text(init, encoding="utf-8")
    report, _ = common.run_editor([emacs(), "--batch", "-l", str(init_file), "-l", str(HERE / driver)], s)
    return report


def test_eglot_with_the_documented_config_uses_the_folder_floor_applies_hovers_and_completes(tmp_path, fake, closed_port):
    s = common.session(tmp_path, fake, closed_port)
    # the documented per-project file: floor 80 for this folder, over the init file's default 60
    (s.work / ".dir-locals.el").write_text(common.snippet("Emacs 28+ (eglot)", "elisp", 1), encoding="utf-8")
    fake.script(common.BODY_ANSWER, common.COMPLETION_ANSWER)

    report = run(s, common.snippet("Emacs 28+ (eglot)", "elisp", 0), "emacs_eglot_e2e.el")

    assert report["mode"] == "python-mode"
    assert any("minCodingScore 80" in line for line in common.floor_log_lines(report)), report["log"]
    assert "Generate body · test-strong (85 ≥ 80)" in report["titles"], report
    assert report["chosen_is"] == "command"  # eglot 1.9 has no codeAction/resolve: the command path
    assert report["after_action"][:3] == common.BODY_LINES
    assert "test-strong" in report["hover"] and "floor 80" in report["hover"], report["hover"]
    assert report["after_completion"][-1] == "VALUE = 42"
    # the documented codefloor/status handler showed the serving model in the echo area
    assert report["status_message"] and report["status_message"].startswith("codefloor: test-strong (85 ≥ 80)"), report["messages"]
    assert "(85, user)" in report["status_message"]  # the reason names where the score came from
    # eglot did not advertise progress, so the server sent none
    assert not {"window/workDoneProgress/create", "$/progress"} & set(report["server_methods"]), report["server_methods"]
    assert "workspace/applyEdit" in report["server_methods"]
    assert not complaints(report["messages"]), report["messages"]
    assert [r.body["model"] for r in fake.requests] == ["test-strong-wire"] * 2


def test_lsp_mode_with_the_documented_config_sends_the_floor_resolves_hovers_and_completes(tmp_path, fake, closed_port):
    s = common.session(tmp_path, fake, closed_port)
    fake.script(common.BODY_ANSWER, common.COMPLETION_ANSWER)

    report = run(s, common.snippet("Emacs 28+ (lsp-mode)", "elisp", 0), "emacs_lsp_mode_e2e.el")

    assert report["mode"] == "python-mode"
    # the snippet's floor (70) reached the folder through workspace/configuration
    assert any("minCodingScore 70" in line for line in common.floor_log_lines(report)), report["log"]
    assert "Generate body · test-strong (85 ≥ 70)" in report["titles"], report
    assert report["chosen_is"] == "data"  # lsp-mode resolves: the model runs in codeAction/resolve
    assert report["after_action"][:3] == common.BODY_LINES
    assert "test-strong" in report["hover"] and "floor 70" in report["hover"], report["hover"]
    assert report["after_completion"][-1] == "VALUE = 42"
    assert report["status_message"] and report["status_message"].startswith("codefloor: test-strong (85 ≥ 70)"), report["messages"]
    assert "(85, user)" in report["status_message"]
    assert "workspace/applyEdit" not in report["server_methods"]  # the edit came back in the resolve answer
    assert not complaints(report["messages"]), report["messages"]
    # the action at the folder floor 70, the completion at the snippet's completion floor 40
    assert [r.body["model"] for r in fake.requests] == ["test-strong-wire", "test-cheap-wire"]
