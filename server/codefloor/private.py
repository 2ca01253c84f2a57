"""What codefloor writes for the user alone: the data dir (0700), the ledger and the log file (0600).

They hold folder paths, model names, costs and generated code. The modes are set explicitly
(chmod after create), so they do not depend on the umask. Import-light: `codefloor serve` uses
it before anything heavy is loaded.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` (parents as usual) if it is missing, 0700. A folder that already exists keeps
    its mode: CODEFLOOR_DATA_DIR may name a folder the user manages (the files inside are 0600)."""
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir(mode=DIR_MODE)
        except FileExistsError:
            return path
        os.chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> None:
    """Create `path` if missing and make it 0600, for reading and writing by its owner.

    Raises OSError (EACCES for a read-only file or folder) for the caller to name in its message.
    A file of another user that we may write keeps its mode (chmod is the owner's)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        if os.fstat(fd).st_uid == os.getuid():
            os.fchmod(fd, FILE_MODE)  # also a file an older version created 0644
    finally:
        os.close(fd)
