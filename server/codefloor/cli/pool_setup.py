"""What `models` and `route` share: the user config, the catalog and the pool of what is reachable.

No ledger and no router state: these commands show what the engine would choose, not what is running.
"""

from __future__ import annotations

from dataclasses import dataclass

from codefloor.availability import Reach
from codefloor.config import UserConfig
from codefloor.selection import Pool


@dataclass(frozen=True)
class Setup:
    config: UserConfig
    pool: Pool
    cards: tuple  # every catalog card, scored or not, without the Ollama routes that are not pulled
    catalog_cards: tuple = ()  # every catalog card with all its routes (what `models` lists)
    reach: Reach | None = None  # what was found reachable (availability.route_problem says why not)


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
    return Setup(config, pool, cards, catalog.cards, reach)
