"""glibc's malloc, limited and trimmed (bot.infra.memory)."""

from __future__ import annotations

import platform

import pytest

from bot.infra import memory
from bot.infra.memory import BurstEnds, limit_malloc_arenas, release_free_memory

GLIBC = platform.libc_ver()[0] == "glibc"


@pytest.mark.skipif(not GLIBC, reason="glibc only")
def test_glibc_takes_the_limit_and_the_trim(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)  # the shell's would win
    assert limit_malloc_arenas() is True
    release_free_memory()  # True when it gave pages back; it must not fail either way


def test_an_operators_malloc_arena_max_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False


def test_the_heap_is_trimmed_once_when_a_burst_is_over(monkeypatch: pytest.MonkeyPatch) -> None:
    trims: list[int] = []
    monkeypatch.setattr(memory, "release_free_memory", lambda: trims.append(1) or True)
    bursts = BurstEnds()
    rounds = [0, 0, 50, 12, 0, 0, 0, 3, 0]
    ended = [bursts.after_round(sent) for sent in rounds]
    assert ended == [False, False, False, False, True, False, False, False, True]
    assert len(trims) == 2


def test_what_the_start_built_is_left_out_of_full_collections():
    """After the start, a full collection walks only what came since: it no longer holds
    every thread for the time of walking the whole app."""
    import gc
    import time

    from bot.infra.memory import freeze_start

    def full_collection() -> float:
        started = time.perf_counter()
        gc.collect()
        return time.perf_counter() - started

    try:
        walked = min(full_collection() for _ in range(3))
        assert freeze_start() > 50_000  # the test process's imports, the app's among them
        frozen = min(full_collection() for _ in range(3))
        assert frozen < walked / 5, (walked, frozen)
    finally:
        gc.unfreeze()


def test_the_bots_start_freezes_what_it_built(bot):
    """The background start (what `cr-bot run` and each gunicorn worker do) is where the
    freeze happens: after it, the app's objects are out of the full collections."""
    import gc

    gc.unfreeze()
    try:
        bot.runtime.start_background(outbox_interval=3600)
        assert gc.get_freeze_count() > 50_000
    finally:
        bot.runtime.stop()
        gc.unfreeze()
