"""What the channel digest shows: upcoming exchanges by week, and how many wait."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.request import Summary


@dataclass(frozen=True)
class Digest:
    today: date
    weeks: list[tuple[date, list[Summary]]]
    pending: int  # requests waiting for a decision
