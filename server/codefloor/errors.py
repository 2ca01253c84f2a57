"""The one tree of errors a user sees. Imports nothing, so any layer -- and the language server
before pydantic is loaded -- can catch them. str() of each is one line that says what to do.

    CodefloorError                    catch this one to report any of them
    ├── SetupError                    the user's own set-up is invalid; names the file, entry, field
    │   ├── ConfigError               the user config file (config.py)
    │   ├── CatalogError              the catalog or a user [[models]] entry (catalog/load.py)
    │   ├── LedgerError               the ledger file cannot be opened or written (ledger.py)
    │   └── CalibrateError            `codefloor calibrate` cannot run as asked (calibrate/engine.py)
    ├── RouterUnavailable             the language server could not build its router (a SetupError
    │                                 said why, at start-up); every request then says the same
    ├── NothingToApply                an action cannot produce an edit here: no function at the line,
    │                                 an empty answer, action data the client sent back malformed
    ├── RoutingError                  a routed request produced nothing
    │   ├── NothingEligible           no model meets the floor and the folder's constraints
    │   │   └── NoEligibleModel       the one the selection engine raises (selection/types.py): it
    │   │                             carries the floor, the strongest available candidate and the
    │   │                             hints, typed with selection's own values; catch NothingEligible
    │   ├── AllRoutesFailed           every eligible route failed; .attempts says how
    │   │   └── DeadlineExceeded      the request's total deadline ended the fallbacks
    │   ├── BudgetExceeded            only the daily budget stands between the request and a model
    │   └── LedgerUnwritable          a paid attempt refused before sending: the ledger cannot record it
    └── ProviderError                 one provider call failed (providers/errors.py draws its
                                      subtree: TransportError, RateLimited, ServerError,
                                      MalformedResponse, AuthError, BadRequest, FimNotSupported);
                                      the router turns these into fallbacks or AllRoutesFailed

Messages never contain an API key (ProviderError redacts its text; the others are built from
names and numbers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codefloor.results import Attempt


class CodefloorError(Exception):
    """Base of every user-facing error: str() is one actionable line."""


class SetupError(CodefloorError):
    """The user config file, the catalog or a user model is invalid. str() is one line that names
    the file, the entry and the field."""


class RouterUnavailable(CodefloorError):
    """The router could not be built (bad user config, unreadable catalog). str() says what to fix."""


class NothingToApply(CodefloorError):
    """The action cannot produce an edit (no function here, empty answer, malformed action data).
    str() says why."""


class RoutingError(CodefloorError):
    """A routed request produced nothing. str() is a one-line message that says what to do."""


class NothingEligible(RoutingError):
    """No model meets the floor and the folder's constraints. The engine raises its subclass
    selection.types.NoEligibleModel; a handler catches this one without importing selection."""


class AllRoutesFailed(RoutingError):
    def __init__(self, message: str, attempts: tuple[Attempt, ...]) -> None:
        super().__init__(message)
        self.attempts = attempts


class DeadlineExceeded(AllRoutesFailed):
    """The request's total deadline ([routing] <task>_total_s, `ask --timeout`) ran out; the
    attempt in flight is recorded and nothing more is sent."""


class BudgetExceeded(RoutingError):
    pass


class LedgerUnwritable(RoutingError):
    """A paid attempt was refused before anything was sent: the ledger could not record it."""
