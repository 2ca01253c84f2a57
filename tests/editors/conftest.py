from tests.lsp.conftest import closed_port, fake  # noqa: F401  (shared fixtures)
