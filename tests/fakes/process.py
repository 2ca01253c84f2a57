"""Run a fake provider as a subprocess (for end-to-end tests whose server is itself a subprocess)
and script it over its control endpoint. Same scripting API as FakeServer."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.fakes.behaviour import Behaviour
from tests.fakes.server import DEFAULT_TEXT, Recorded

REPO_ROOT = Path(__file__).resolve().parents[2]


class FakeProcess:
    def __init__(self, wire: str = "openai", *, text: str = DEFAULT_TEXT) -> None:
        self.wire = wire
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.server", "--wire", wire, "--port", "0", "--text", text],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        )
        first = self._proc.stdout.readline().strip() if self._proc.stdout else ""
        if not first.isdigit():
            self._proc.kill()
            raise RuntimeError(f"fake {wire} server did not start (first line: {first!r})")
        self.port = int(first)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = json.dumps(payload).encode() if payload is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())

    def script(self, *behaviours: Behaviour) -> None:
        self._call("POST", "/_fake/script", {"behaviours": [b.to_json() for b in behaviours]})

    def set_default(self, behaviour: Behaviour) -> None:
        self._call("POST", "/_fake/script", {"default": behaviour.to_json()})

    def set_text(self, text: str) -> None:
        self._call("POST", "/_fake/script", {"text": text})

    def reset(self) -> None:
        self._call("POST", "/_fake/reset", {})

    @property
    def requests(self) -> list[Recorded]:
        return [Recorded(**item) for item in self._call("GET", "/_fake/requests")]

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """True once no request is being answered (so disconnects and completions are recorded)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._call("GET", "/_fake/health")["active"] == 0:
                return True
            time.sleep(0.02)
        return False

    def stop(self) -> None:
        self._proc.terminate()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout:
            self._proc.stdout.close()

    def __enter__(self) -> FakeProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
