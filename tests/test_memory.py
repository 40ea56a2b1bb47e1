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
