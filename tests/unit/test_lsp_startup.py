"""`codefloor serve` answers `initialize` before the domain (pydantic, catalog, router, httpx) loads."""

import subprocess
import sys

from codefloor.catalog.types import FIM
from codefloor.lsp.features import inline_completion

PROBE = """
import sys
from codefloor.cli import build_parser
build_parser()
from codefloor.lsp.server import create_server
create_server()
heavy = sorted(m for m in ("pydantic", "httpx", "codefloor.router", "codefloor.catalog.load", "sqlite3") if m in sys.modules)
print(",".join(heavy))
"""


def test_creating_the_server_imports_no_domain_modules():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_local_fim_name_matches_the_catalog():
    assert inline_completion.FIM == FIM
