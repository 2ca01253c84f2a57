"""Loopback fake LLM providers for tests (see README.md)."""

from __future__ import annotations

from typing import Any

from tests.fakes.behaviour import Behaviour

__all__ = ["Behaviour", "FakeProcess", "FakeServer", "Recorded", "mask_secret"]


def __getattr__(name: str) -> Any:
    # Lazy, so `python -m tests.fakes.server` does not import the server module twice.
    if name in ("FakeServer", "Recorded", "mask_secret"):
        from tests.fakes import server

        return getattr(server, name)
    if name == "FakeProcess":
        from tests.fakes.process import FakeProcess

        return FakeProcess
    raise AttributeError(name)
