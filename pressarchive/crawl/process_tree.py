"""A crawl's processes live and die together.

`pressarchive crawl` starts the crawl child, which starts page-reading
workers. Each asks the kernel (Linux: prctl PR_SET_PDEATHSIG) to be killed
when its parent dies, so a SIGKILL of any level leaves no orphan crawling or
writing without the archive's lock.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent_pid: int | None = None) -> None:
    """Be killed when the parent dies; exit now if `parent_pid` has already
    died (the parent can die before the request takes effect)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # other platforms: the crawl child's stdin watch still holds
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)
