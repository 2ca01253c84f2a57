"""The pure selection engine: (pool, request, preferences, health) -> Decision.

No asyncio, no httpx, no clock, no randomness, no globals (tests/unit/test_layering.py keeps it so).
Pool (pool.py) is the entry point; index.py holds the precomputed structures and their proof.
"""

from codefloor.selection.pool import BALANCED_BAND, Pool
from codefloor.selection.types import (
    Candidate,
    CandidateView,
    Decision,
    Health,
    NoEligibleModel,
    Policy,
    Preferences,
    Request,
    ScoreConfidence,
    TaskKind,
)

__all__ = [
    "BALANCED_BAND",
    "Candidate",
    "CandidateView",
    "Decision",
    "Health",
    "NoEligibleModel",
    "Policy",
    "Pool",
    "Preferences",
    "Request",
    "ScoreConfidence",
    "TaskKind",
]
