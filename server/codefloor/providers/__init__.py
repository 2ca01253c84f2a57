"""Provider adapters behind one Provider protocol; ProviderSet builds them from the user config."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codefloor.providers.registry import ProviderSet

__all__ = ["ProviderSet"]


def __getattr__(name: str) -> Any:
    # Lazy: codefloor.config imports providers.errors, and the registry imports codefloor.config.
    if name == "ProviderSet":
        from codefloor.providers.registry import ProviderSet

        return ProviderSet
    raise AttributeError(name)
