"""Run the real `codefloor` CLI in a subprocess with a controlled environment: no keys, a temp user
config, Ollama pointed at a closed loopback port (so nothing on this machine leaks into the result)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends


def run_cli(args: list[str], tmp_path: Path, config: str = "[embedded]\nenabled = false\n",
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    config_file = tmp_path / "config.toml"
    config_file.write_text(config, encoding="utf-8")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "CODEFLOOR_CONFIG": str(config_file),
        "CODEFLOOR_DATA_DIR": str(tmp_path / "data"),
        "OLLAMA_HOST": f"127.0.0.1:{closed_port()}",
        **(extra_env or {}),
    }
    return subprocess.run([sys.executable, "-m", "codefloor", *args], env=env, capture_output=True, text=True, timeout=60)
