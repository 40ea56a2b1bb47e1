"""glibc's malloc arenas, limited for a threaded server.

glibc gives each thread that meets a locked arena a new one, up to eight per core; each
keeps its own freed memory. Under a burst (gunicorn's eight threads, the outbox's senders,
the scheduler) that held about 17 MB more of resident memory in one process than two
arenas do (`python -m tests.bench`, README "Performance"). `MALLOC_ARENA_MAX` in the
environment does the same and wins: it is read when the process starts, and this leaves
an operator's choice alone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

ARENAS = 2
_M_ARENA_MAX = -8  # glibc's malloc.h


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Ask glibc for at most `arenas` malloc arenas; False where it is not glibc (or the
    operator set MALLOC_ARENA_MAX)."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False  # not glibc (musl, macOS): nothing to limit
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(_M_ARENA_MAX, arenas))
    log.debug("malloc arenas limited to %d: %s", arenas, done)
    return done
