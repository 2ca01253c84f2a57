"""Names and one rule that every layer shares. Imports nothing, so the language server can use them
before pydantic, the catalog or httpx are loaded (`initialize` stays light).

- SECTION: the settings section (`codefloor.*` in VS Code, `settings.codefloor` in Neovim).
- FIM: the capability a route with a native fill-in-the-middle endpoint has.
- estimate_tokens(): THE token estimate for text whose tokens nobody has counted (a prompt before it
  is sent, an answer whose provider reported no usage): ~4 characters per token for code, never 0.
"""

SECTION = "codefloor"
FIM = "fim"
CHARS_PER_TOKEN = 4


def estimate_tokens(chars: int) -> int:
    """Tokens in `chars` characters of code (rough: enough to compare costs and check windows)."""
    return max(chars, 0) // CHARS_PER_TOKEN + 1
