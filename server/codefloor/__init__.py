"""codefloor: AI code actions and completions routed by a coding-score floor."""

__version__ = "0.1.0"
