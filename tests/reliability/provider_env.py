"""A `codefloor serve` environment where every remote provider is a loopback fake.

Seven providers on three fakes (the five OpenAI-wire providers share one fake, Anthropic and
Gemini have their own), one user model per provider at or above FLOOR plus a cheaper one below
it that must never serve, short read timeouts (so "hang" faults end quickly) and short cooldowns
(so one run shows many cool-down/recovery cycles). The bundled catalog stays loaded: its models
on these providers are further fallbacks, served by the same fakes.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.fakes import user_setup
from tests.fakes.process import FakeProcess
from tests.fakes.server import FakeServer

FLOOR = 60.0
READ_TIMEOUT_S = 0.4
COOLDOWN_S = 0.5
OPENAI_WIRE = ("openai", "deepseek", "mistral", "xai", "openrouter")
BASE_PATH = {"openai": "/v1", "deepseek": "", "mistral": "/v1", "xai": "/v1", "openrouter": "/v1", "anthropic": "", "gemini": ""}
KEYS = {name: f"sk-reliab-{name}-5f3a9c0e7d1b" for name in BASE_PATH}

# (id, coding score, provider, $ per MTok in, out): cheapest first, so fallbacks cross providers.
MODELS = (
    ("below-floor", 40, "openai", 0.0005, 0.0005),  # the cheapest of all: serving it = wrong floor
    ("fault-deepseek", 62, "deepseek", 0.001, 0.002),
    ("fault-anthropic", 64, "anthropic", 0.0011, 0.0022),
    ("fault-gemini", 66, "gemini", 0.0012, 0.0024),
    ("fault-openai", 68, "openai", 0.0013, 0.0026),
    ("fault-mistral", 70, "mistral", 0.0014, 0.0028),
    ("fault-xai", 72, "xai", 0.0015, 0.003),
    ("fault-openrouter", 75, "openrouter", 0.0016, 0.0032),
)


def user_config(*, daily_usd: float | None = None, timeout_s: float = READ_TIMEOUT_S, models=MODELS) -> str:
    lines = ["[embedded]", "enabled = false", "", "[routing]", f"cooldown_s = {COOLDOWN_S}", "max_cooldown_s = 2", ""]
    if daily_usd is not None:
        lines += ["[budget]", f"daily_usd = {daily_usd!r}", ""]
    for provider in BASE_PATH:
        lines += [f"[providers.{provider}]", f"timeout_s = {timeout_s}", ""]
    for model_id, score, provider, price_in, price_out in models:
        lines += [
            "[[models]]",
            f'id = "{model_id}"',
            f'display_name = "{model_id}"',
            f"coding_score = {score}",
            "context_window = 32000",
            "max_output_tokens = 4096",
            f'routes = [{{ provider = "{provider}", model_name = "{model_id}-wire", '
            f"input_price_per_mtok = {price_in}, output_price_per_mtok = {price_out} }}]",
            "",
        ]
    return "\n".join(lines)


@dataclass
class Fakes:
    openai: FakeServer | FakeProcess
    anthropic: FakeServer | FakeProcess
    gemini: FakeServer | FakeProcess

    def all(self) -> tuple[FakeServer, ...]:
        return (self.openai, self.anthropic, self.gemini)

    def for_provider(self, provider: str) -> FakeServer:
        return {"anthropic": self.anthropic, "gemini": self.gemini}.get(provider, self.openai)

    def set_text(self, text: str) -> None:
        for fake in self.all():
            fake.set_text(text)

    def reset(self) -> None:
        for fake in self.all():
            fake.reset()


@contextmanager
def running_fakes(text: str, *, subprocess: bool = False) -> Iterator[Fakes]:
    """In this process (threads), or as subprocesses so that serving hundreds of concurrent
    streams does not compete for this process's GIL with a client that measures latency."""
    if subprocess:
        fakes = Fakes(*(FakeProcess(wire, text=text) for wire in ("openai", "anthropic", "gemini")))
    else:
        fakes = Fakes(FakeServer("openai", text=text), FakeServer("anthropic", text=text), FakeServer("gemini", text=text))
        for fake in fakes.all():
            fake.start()
    try:
        yield fakes
    finally:
        for fake in fakes.all():
            fake.stop()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


def server_env(tmp: Path, fakes: Fakes, **config: object) -> dict[str, str]:
    """The server's environment: keys and base URLs for every fake, a private config and ledger."""
    providers = {provider: (KEYS[provider], fakes.for_provider(provider).url + path) for provider, path in BASE_PATH.items()}
    return user_setup.server_env(tmp, user_config(**config), providers, closed_port())  # type: ignore[arg-type]


def scores_by_route(env: dict[str, str]) -> dict[str, float]:
    """Route key ("provider:model_name", as in the ledger) -> coding score, from the catalog the server loads."""
    from codefloor.catalog.load import load_catalog
    from codefloor.config import load_user_config

    catalog = load_catalog(load_user_config(env))
    return {route.key: card.coding_score or 0.0 for card in catalog.cards for route in card.routes}


def ledger_path(env: dict[str, str]) -> Path:
    return Path(env["CODEFLOOR_DATA_DIR"]) / "usage.sqlite3"


def ledger_rows(env: dict[str, str]) -> list[dict]:
    """Read the ledger the way any other process would (read-only, no shared connection)."""
    import sqlite3

    path = ledger_path(env)
    if not path.exists():
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cursor = db.execute("SELECT * FROM attempts ORDER BY id")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        db.close()
