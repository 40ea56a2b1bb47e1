"""What the channel digest shows: upcoming exchanges by week, and how many wait."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.domain.request import Summary


@dataclass(frozen=True)
class Digest:
    today: date
    weeks: list[tuple[date, list[Summary]]]
    pending: int  # requests waiting for a decision
    # Approved exchanges still missing experts: request id -> the partner cities to name them
    # (an exchange not in it is matched: every partner city named its experts).
    missing: dict[int, tuple[str, ...]] = field(default_factory=dict)
