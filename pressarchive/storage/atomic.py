"""Files written whole or not at all: a killed export never leaves a truncated
file under the final name, nor truncates a good one already there.

The file is written in a private folder beside the target (same file system,
so the final rename is atomic), named after the target and this process; the
spreadsheet library's own temporary files go there too. The folder is removed
when the block ends, however it ends; one left by a process killed outright
(SIGKILL) is removed by the next export to the same folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PREFIX = ".pressarchive-partial-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(folder: Path) -> None:
    """Partial-write folders of processes that no longer run."""
    for entry in folder.glob(PREFIX + "*"):
        try:
            pid = int(entry.name[len(PREFIX) :].split(".", 1)[0])
        except ValueError:
            continue
        if entry.is_dir() and not entry.is_symlink() and not _alive(pid):
            shutil.rmtree(entry, ignore_errors=True)


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """A path to write; on success it replaces `target` in one step."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    remove_stale(folder)
    private = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}.", dir=folder))
    previous_tempdir = tempfile.tempdir
    previous_handler = None
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (kill's default) unwinds like an error: the partial file goes
        previous_handler = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    tempfile.tempdir = str(private)  # openpyxl's write-only worksheets
    try:
        partial = private / target.name
        yield partial
        os.replace(partial, target)
    finally:
        tempfile.tempdir = previous_tempdir
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
        shutil.rmtree(private, ignore_errors=True)
