"""errors.py draws the one tree of user-facing errors (providers/errors.py its ProviderError
subtree); the drawings must name every class in it."""

from __future__ import annotations

import importlib
import pkgutil

import codefloor
from codefloor import errors
from codefloor.providers import errors as provider_errors


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


def test_every_codefloor_error_is_drawn_in_the_errors_docstring():
    for module in pkgutil.walk_packages(codefloor.__path__, "codefloor."):
        if not module.name.endswith("__main__") and ".lsp" not in module.name and ".cli" not in module.name:
            importlib.import_module(module.name)
    drawn = (errors.__doc__ or "") + (provider_errors.__doc__ or "")
    missing = sorted(cls.__name__ for cls in _subclasses(errors.CodefloorError)
                     if not cls.__name__.startswith("_") and cls.__name__ not in drawn.replace(",", " ").split())
    assert missing == []
