"""What `models` and `route` share: the user config, the catalog and the pool of what is reachable.

No ledger and no router state: these commands show what the engine would choose, not what is running.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from codefloor.availability import Reach
from codefloor.config import UserConfig
from codefloor.selection import Pool


@dataclass(frozen=True)
class Setup:
    config: UserConfig
    pool: Pool
    cards: tuple  # every catalog card, scored or not, without the Ollama routes that are not pulled
    catalog: object  # catalog.load.Catalog: its date and where it came from (its cards: all routes, what `models` lists)
    reach: Reach | None = None  # what was found reachable (availability.route_problem says why not)

    def catalog_json(self) -> dict:
        return {"as_of": self.catalog.as_of, "origin": self.catalog.origin, "path": self.catalog.path}

    def warn_if_stale(self) -> None:
        """On stderr, so stdout stays the command's output (tables, JSON)."""
        if warning := self.catalog.staleness():
            print(f"codefloor: warning: {warning}", file=sys.stderr)


def load_setup(all_providers: bool) -> Setup:
    """Raises ConfigError / CatalogError with a message that names the file and field."""
    from codefloor.availability import build_pool, probe, reachable_cards
    from codefloor.catalog.load import load_catalog
    from codefloor.config import load_user_config

    config = load_user_config()
    catalog = load_catalog(config)
    reach = probe(config, all_providers=all_providers)
    cards = reachable_cards(catalog.cards, reach)
    pool = build_pool(cards, config, reach.providers)
    return Setup(config, pool, cards, catalog, reach)
