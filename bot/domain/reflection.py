"""What people shared of their reflections: with the participants, or with the network."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shared:
    """One person's reflection as far as they shared it with the participants."""

    user_id: str
    city_key: str
    rating: int
    worked: str | None
    not_worked: str | None
    will_apply: str | None


@dataclass(frozen=True)
class Lesson:
    """A reflection shared with the network; `user_id` is None once purged."""

    user_id: str | None
    worked: str | None
    not_worked: str | None
    will_apply: str | None
