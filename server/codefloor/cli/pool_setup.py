"""What `models` and `route` share: the user config, the catalog and the pool of what is reachable.

No ledger and no router state: these commands show what the engine would choose, not what is running.
"""

from __future__ import annotations

from dataclasses import dataclass

from codefloor.config import UserConfig
from codefloor.selection import Pool
from codefloor.settings import FolderSettings


@dataclass(frozen=True)
class Setup:
    config: UserConfig
    pool: Pool
    cards: tuple  # every catalog card, scored or not
    defaults: FolderSettings  # the user config's [defaults] applied on the schema defaults
    problems: tuple[str, ...]  # [defaults] keys that were ignored, one line each


def load_setup(all_providers: bool) -> Setup:
    """Raises ConfigError / CatalogError with a message that names the file and field."""
    from codefloor.availability import build_pool, probe, reachable_cards
    from codefloor.catalog.load import load_catalog
    from codefloor.config import load_user_config
    from codefloor.settings import parse_folder_settings

    config = load_user_config()
    catalog = load_catalog(config)
    reach = probe(config, all_providers=all_providers)
    cards = reachable_cards(catalog.cards, reach)
    defaults, problems = parse_folder_settings(config.defaults or None)
    pool = build_pool(cards, config, reach.providers)
    return Setup(config, pool, cards, defaults, tuple(f"{p} (user config [defaults])" for p in problems))
