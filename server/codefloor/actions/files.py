"""The one way an action reads a project file from disk (ARCHITECTURE.md, "Files from disk").

Only when the editor has no open copy (the caller asks the editor first), only a regular file
inside the workspace folder after resolving symlinks, below a size cap, decoded strictly as UTF-8.
Anything else is refused with a message that says why; nothing is read from /proc, a FIFO or a
device, and a symlink out of the workspace (to ~/.config/..., say) is never followed.
"""

from __future__ import annotations

import os
import stat

MAX_BYTES = 1_000_000


class FileRefused(Exception):
    """The file exists but is not read. str() says why, naming the path."""


def inside(path: str, root: str) -> bool:
    """Whether `path`, with every symlink resolved, is inside the folder `root` (also resolved)."""
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def is_dir_inside(path: str, root: str | None) -> bool:
    return root is not None and inside(path, root) and os.path.isdir(os.path.realpath(path))


def read_project_file(path: str, root: str | None, *, max_bytes: int = MAX_BYTES) -> str | None:
    """The file's text; None when nothing is there. Raises FileRefused for anything else."""
    if not root:
        raise FileRefused(f"{path} was not read: the document is in no workspace folder")
    if not os.path.lexists(path):
        return None
    if not inside(path, root):
        raise FileRefused(f"{path} was not read: it resolves to a file outside the workspace folder {root}")
    real = os.path.realpath(path)
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return None  # a dangling link inside the folder: as if absent
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(f"{path} was not read: it is not a regular file")
    if info.st_size > max_bytes:
        raise FileRefused(f"{path} was not read: {info.st_size} bytes is more than the {max_bytes}-byte limit")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(real, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped between the checks
            raise FileRefused(f"{path} was not read: it is not a regular file")
        data = os.read(fd, max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise FileRefused(f"{path} was not read: it is larger than the {max_bytes}-byte limit")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileRefused(f"{path} was not read: it is not valid UTF-8 (byte {exc.start})") from None
