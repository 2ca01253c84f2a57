"""What `models` and `route` share: the user config, the catalog and the pool of what is reachable.

No ledger and no router state: these commands show what the engine would choose, not what is running.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codefloor.config import UserConfig
from codefloor.selection import Pool


@dataclass(frozen=True)
class Setup:
    config: UserConfig
    pool: Pool
    cards: tuple  # every catalog card, scored or not
    sources: dict = field(default_factory=dict)  # the catalog's source -> date (prices: litellm, openrouter)


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
    return Setup(config, pool, cards, dict(catalog.sources))
