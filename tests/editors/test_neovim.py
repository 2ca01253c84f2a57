"""A real editor: Debian's headless Neovim drives `codefloor serve` with tests/editors/nvim_e2e.lua
(list + resolve + apply a code action, then a completion) against a loopback provider."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.behaviour import ok
from tests.lsp import harness

pytestmark = pytest.mark.neovim
SCRIPT = Path(__file__).with_name("nvim_e2e.lua")
STUB = 'def greet(name):\n    """Say hi 👋."""\n    pass\n\n\nVALUE = '


def test_neovim_lists_applies_an_action_and_completes(tmp_path, fake, closed_port):
    nvim = shutil.which("nvim")
    assert nvim, "Neovim is required for this test: install Debian's 'neovim' package (.ci/run does)"
    work = tmp_path / "w"
    work.mkdir()
    source = work / "greet.py"
    source.write_text(STUB, encoding="utf-8")
    out = tmp_path / "report.json"
    env = harness.server_env(tmp_path, fake, closed_port)
    env.update(CODEFLOOR_TEST_OUT=str(out), CODEFLOOR_TEST_FILE=str(source), CODEFLOOR_TEST_PYTHON=sys.executable)
    env["HOME"] = str(tmp_path)  # no user Neovim config
    fake.script(ok('```python\ndef greet(name):\n    return "hi " + name\n```'), ok("42"))

    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-n", "-u", "NONE", "-c", f"luafile {SCRIPT}"],
        env=env, capture_output=True, text=True, timeout=90,
    )
    assert out.exists(), f"Neovim wrote no report (exit {proc.returncode}): {proc.stderr[-2000:]}"
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["ok"], report
    assert not report["messages"], report["messages"]
    assert "Generate body · test-cheap (45 ≥ 40)" in report["titles"], "\n".join(report["log"])
    assert report["after_action"][:3] == ["def greet(name):", '    """Say hi 👋."""', '    return "hi " + name']
    assert report["completion"] == "42"
    assert [r.body["model"] for r in fake.requests] == ["test-cheap-wire", "test-cheap-wire"]
