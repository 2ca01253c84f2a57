"""A real editor: Debian's headless Neovim, configured with the Neovim 0.7 snippet from
docs/editors.md, drives `codefloor serve` (list + resolve + apply a code action, a completion,
and :CodefloorEdit) against a loopback provider. tests/editors/nvim_e2e.lua is the driver."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.behaviour import ok
from tests.editors import common
from tests.lsp import harness

pytestmark = pytest.mark.neovim
DRIVER = Path(__file__).with_name("nvim_e2e.lua")
STUB = 'def greet(name):\n    """Say hi 👋."""\n    pass\n\n\nVALUE = '


def documented_snippet() -> str:
    """The first Lua block of the 'Neovim 0.7' section of docs/editors.md."""
    return common.snippet("Neovim 0.7", "lua")


def test_neovim_with_the_documented_config_lists_applies_completes_and_edits(tmp_path, fake, closed_port):
    nvim = shutil.which("nvim")
    assert nvim, "Neovim is required for this test: install Debian's 'neovim' package (.ci/run does)"
    work = tmp_path / "w"
    work.mkdir()
    source = work / "greet.py"
    source.write_text(STUB, encoding="utf-8")
    init = tmp_path / "init.lua"
    init.write_text(documented_snippet(), encoding="utf-8")
    out = tmp_path / "report.json"
    env = harness.server_env(tmp_path, fake, closed_port)
    env.update(CODEFLOOR_TEST_OUT=str(out), HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")  # `codefloor` of this venv
    fake.script(
        ok('```python\ndef greet(name):\n    return "hi " + name\n```'),
        ok("42"),
        ok('```python\n    return "こんにちは " + name\n```'),
    )

    proc = subprocess.run(
        [nvim, "--headless", "-n", "-i", "NONE", "-u", str(init), str(source), "-c", f"luafile {DRIVER}"],
        cwd=work, env=env, capture_output=True, text=True, timeout=120,
    )
    assert out.exists(), f"Neovim wrote no report (exit {proc.returncode}): {proc.stderr[-2000:]}"
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["ok"], report
    assert not report["messages"], report["messages"]
    assert any("minCodingScore 60" in line for line in common.floor_log_lines(report)), report["log"]
    # the snippet's floor is 60: test-cheap (45) is not eligible, test-strong (85) is
    assert "Generate body · test-strong (85 ≥ 60)" in report["titles"], "\n".join(report["log"])
    assert report["after_action"][:3] == ["def greet(name):", '    """Say hi 👋."""', '    return "hi " + name']
    assert report["completion"] == "42"
    assert report["after_edit"][2] == '    return "こんにちは " + name'
    assert [r.body["model"] for r in fake.requests] == ["test-strong-wire"] * 3
