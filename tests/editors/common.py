"""What every real-editor test shares: the documented snippets (read out of docs/editors.md, so
the docs and the tests cannot drift), the workspace, the server's environment and the report the
editor-side driver writes (JSON: {ok, error, ...steps})."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.behaviour import ok
from tests.lsp import harness

EDITORS_DOC = Path(__file__).resolve().parents[2] / "docs" / "editors.md"
STUB = 'def greet(name):\n    """Say hi 👋."""\n    pass\n\n\nVALUE = '
BODY_ANSWER = ok('```python\ndef greet(name):\n    return "hi " + name\n```')
BODY_LINES = ["def greet(name):", '    """Say hi 👋."""', '    return "hi " + name']
COMPLETION_ANSWER = ok("42")
EDITOR_TIMEOUT_S = 120  # the whole editor session; every wait inside it is bounded on its own


def snippet(heading: str, lang: str, index: int = 0) -> str:
    """The index-th ```lang block of the docs/editors.md section whose heading starts with `heading`."""
    text = EDITORS_DOC.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.M)
    matching = [s for s in sections if s.startswith(heading)]
    assert len(matching) == 1, f"docs/editors.md has {len(matching)} sections starting with {heading!r}"
    blocks = re.findall(rf"```{lang}\n(.*?)```", matching[0], re.S)
    assert len(blocks) > index, f"docs/editors.md section {heading!r} has no ```{lang} block #{index}"
    return blocks[index]


@dataclass
class Session:
    work: Path  # the workspace folder (has pyproject.toml, so every client finds this root)
    source: Path  # greet.py in it
    out: Path  # where the driver writes its report
    env: dict[str, str]


def session(tmp_path: Path, fake, closed_port: int) -> Session:
    work = tmp_path / "w"
    work.mkdir()
    (work / "pyproject.toml").write_text('[project]\nname = "w"\n', encoding="utf-8")
    source = work / "greet.py"
    source.write_text(STUB, encoding="utf-8")
    out = tmp_path / "report.json"
    env = harness.server_env(tmp_path, fake, closed_port)
    home = tmp_path / "home"
    home.mkdir()
    env.update(
        CODEFLOOR_TEST_OUT=str(out),
        CODEFLOOR_TEST_FILE=str(source),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
    )
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")  # `codefloor` of this venv
    return Session(work, source, out, env)


def run_editor(argv: list[str], s: Session, **kwargs) -> tuple[dict, float]:
    """Run the editor to completion; return the driver's report and the wall time in seconds."""
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=s.work, env=s.env, capture_output=True, text=True, timeout=EDITOR_TIMEOUT_S, **kwargs)
    elapsed = time.monotonic() - started
    assert s.out.exists(), f"{argv[0]} wrote no report (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    report = json.loads(s.out.read_text(encoding="utf-8"))
    assert report.get("ok"), f"{report}\n--- stderr ---\n{proc.stderr[-3000:]}"
    print(f"{Path(argv[0]).name} session: {elapsed:.1f} s")
    return report, elapsed


def floor_log_lines(report: dict) -> list[str]:
    """The server's log lines that say which floor a folder got."""
    return [line for line in report.get("log", []) if "minCodingScore" in line]
