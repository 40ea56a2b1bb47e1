"""glibc's malloc: fewer arenas for a threaded server, and a burst's peak handed back.

glibc gives each thread that meets a locked arena a new one, up to eight per core; each
keeps its own freed memory. Under a burst (gunicorn's eight threads, the outbox's senders,
the scheduler) that held about 17 MB more of resident memory in one process than two
arenas do (`python -m tests.bench`, README "Performance"). `MALLOC_ARENA_MAX` in the
environment does the same and wins: it is read when the process starts, and this leaves
an operator's choice alone.

After a burst the process keeps the pages its peak took although Python has freed them;
the outbox sender trims the heap (`malloc_trim`) when a busy stretch is over (BurstEnds):
12 MB less after the benchmark's 2,000-request loads.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
from typing import Any

log = logging.getLogger(__name__)

ARENAS = 2
_M_ARENA_MAX = -8  # glibc's malloc.h


def _libc(function: str) -> Any | None:
    """glibc's `function`, or None where the C library has none (musl, macOS)."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return getattr(ctypes.CDLL(name), function)
    except (OSError, AttributeError):
        return None


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Ask glibc for at most `arenas` malloc arenas; False where it is not glibc (or the
    operator set MALLOC_ARENA_MAX)."""
    mallopt = None if os.environ.get("MALLOC_ARENA_MAX") else _libc("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(_M_ARENA_MAX, arenas))
    log.debug("malloc arenas limited to %d: %s", arenas, done)
    return done


def release_free_memory() -> bool:
    """Hand the heap's free pages back to the system (glibc's malloc_trim): after a burst
    the process keeps what its peak took, though Python has freed it. False where it is
    not glibc."""
    trim = _libc("malloc_trim")
    if trim is None:
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return bool(trim(0))


def freeze_start() -> int:
    """Keep what the start built (imports, the app, its caches: about 110,000 objects) out
    of the cyclic garbage collector's full collections, which otherwise walk all of it and
    hold every thread for 60–110 ms (one such stall seen in a 1,200-request bench run, on
    the ten requests then in flight); returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class BurstEnds:
    """Frees the heap (release_free_memory) once each time a busy stretch is over: a round
    that sent nothing after one that sent."""

    def __init__(self) -> None:
        self.busy = False

    def after_round(self, sent: int) -> bool:
        """Note a round's count; True when it ended a burst (and the heap was trimmed)."""
        ended = self.busy and not sent
        if ended:
            release_free_memory()
        self.busy = sent > 0
        return ended
