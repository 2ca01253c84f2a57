"""The model catalog: bundled snapshot + user overrides (see load.py) and the builder (build.py)."""

from codefloor.catalog.load import Catalog, CatalogError, load_catalog
from codefloor.catalog.types import FIM, LOCAL_PROVIDERS, PROVIDER_NAMES, STREAMING, TOOLS, ModelCard, Route

__all__ = [
    "FIM",
    "LOCAL_PROVIDERS",
    "PROVIDER_NAMES",
    "STREAMING",
    "TOOLS",
    "Catalog",
    "CatalogError",
    "ModelCard",
    "Route",
    "load_catalog",
]
