"""The base of errors a user fixes in their own setup. Kept import-free so the CLI can catch it
without loading pydantic (which `codefloor serve` defers until after `initialize`)."""


class SetupError(Exception):
    """The user config file, the catalog or a user model is invalid. str() is one line that names
    the file, the entry and the field."""
