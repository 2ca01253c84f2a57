"""The user-level set-up that `codefloor serve` gets in tests and benchmarks: a config file of test
models and an environment whose providers point at loopback fakes. Nothing of the developer's own
(API keys, CODEFLOOR_* settings) leaks in. Imports nothing beyond the standard library, so the
benchmarks use it too."""

from __future__ import annotations

import os
from pathlib import Path


def model(id: str, display_name: str, score: float, provider: str, wire_name: str, input_price: float,
          output_price: float, *, fim: bool = False) -> str:
    """One [[models]] entry of the user config: 32k context, 4k output, one route."""
    route = (f'{{ provider = "{provider}", model_name = "{wire_name}", input_price_per_mtok = {input_price}, '
             f'output_price_per_mtok = {output_price}{", supports_fim = true" if fim else ""} }}')
    return (f'\n[[models]]\nid = "{id}"\ndisplay_name = "{display_name}"\ncoding_score = {score}\n'
            f"context_window = 32000\nmax_output_tokens = 4096\nroutes = [{route}]\n")


def user_config(*models: str) -> str:
    """The embedded model off (tests never load it), then the given models."""
    return "\n[embedded]\nenabled = false\n" + "".join(models)


def server_env(tmp: Path, config: str, providers: dict[str, tuple[str, str]], ollama_port: int, **extra: str) -> dict[str, str]:
    """This environment without keys and CODEFLOOR_*, plus: the config written to tmp/config.toml,
    the data dir tmp/data, each provider's (key, base URL) and Ollama on a port where nothing listens."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "config.toml").write_text(config, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and not k.startswith("CODEFLOOR_")}
    env.update(CODEFLOOR_CONFIG=str(tmp / "config.toml"), CODEFLOOR_DATA_DIR=str(tmp / "data"),
               OLLAMA_HOST=f"127.0.0.1:{ollama_port}", **extra)
    for name, (key, base_url) in providers.items():
        env[f"{name.upper()}_API_KEY"] = key
        env[f"CODEFLOOR_{name.upper()}_BASE_URL"] = base_url
    return env
