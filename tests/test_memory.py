"""The bot limits glibc's malloc arenas when its threads start (bot.infra.memory)."""

from __future__ import annotations

import platform

import pytest

from bot.infra.memory import limit_malloc_arenas


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_glibc_takes_the_limit() -> None:
    assert limit_malloc_arenas() is True


def test_an_operators_malloc_arena_max_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert limit_malloc_arenas() is False
