"""Every path the program deletes or writes lies under the archive's folder.

The archive's folder is the directory holding the SQLite file. Job
directories, WARC files, the lock, the HTTP cache and export temporaries are
all named from it; `inside` resolves a candidate (symlinks and `..` included)
and refuses it unless it is that folder or below it, so a hostile registry
(`id = "../.."`) or a symlinked job directory cannot point a `rmtree` at the
archive's parent.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

# A source id becomes a directory name (jobs/<id>): letters, digits, '.', '_'
# and '-', starting with a letter or digit, so never '.', '..' or a path.
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class UnsafePath(ValueError):
    """A path the program was about to write or delete lies outside its folder."""


def is_safe_id(value: str) -> bool:
    return bool(SAFE_ID.fullmatch(value)) and ".." not in value


def archive_root(db: Path | str) -> Path:
    """The folder the archive at `db` owns (the one holding it)."""
    return Path(db).resolve().parent


def inside(root: Path | str, *parts: str | Path) -> Path:
    """`root`/`parts`, resolved; UnsafePath unless it is `root` or below it."""
    base = Path(root).resolve()
    candidate = base.joinpath(*parts).resolve()
    if candidate != base and base not in candidate.parents:
        raise UnsafePath(f"{candidate}: outside the archive's folder {base}; refused")
    return candidate


def under_archive(db: Path | str, *parts: str | Path) -> Path:
    """A path in the archive's folder, proven to be there."""
    return inside(archive_root(db), *parts)


def remove_tree(db: Path | str, *parts: str) -> None:
    """Delete a directory under the archive's folder, never anything else
    (a symlink in its place is unlinked, not followed)."""
    root = archive_root(db)
    target = Path(root).joinpath(*parts)
    if target.is_symlink():
        inside(root, target.parent)
        target.unlink()
        return
    shutil.rmtree(inside(root, *parts), ignore_errors=True)
