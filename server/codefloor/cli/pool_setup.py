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
    from codefloor.availability import available_providers
    from codefloor.catalog.load import load_catalog
    from codefloor.config import load_user_config
    from codefloor.router import provider_hints
    from codefloor.settings import parse_folder_settings

    config = load_user_config()
    catalog = load_catalog(config)
    available = available_providers(config, all_providers=all_providers)
    hints = {name: hint for name, hint in provider_hints(config).items() if name not in available}
    defaults, problems = parse_folder_settings(config.defaults or None)
    pool = Pool.build(catalog.cards, available, provider_hints=hints)
    return Setup(config, pool, catalog.cards, defaults, tuple(f"{p} (user config [defaults])" for p in problems))
