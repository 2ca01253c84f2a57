"""The pure selection engine: (pool, request, preferences, health) -> Decision.

No asyncio, no httpx, no clock, no randomness, no globals (tests/unit/test_layering.py keeps it so).
"""

from codefloor.selection.types import (
    Candidate,
    Decision,
    Health,
    NoEligibleModel,
    Policy,
    Preferences,
    Request,
    TaskKind,
)

__all__ = [
    "Candidate",
    "Decision",
    "Health",
    "NoEligibleModel",
    "Policy",
    "Preferences",
    "Request",
    "TaskKind",
]
