"""What the bot tells people about their data: what it stores, for how long, where to read
more. The url comes from the settings or the directory; the age from the operators' purge."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_DURATION = re.compile(r"\s*(\d+)\s*([dwmy])\s*", re.IGNORECASE)
_YEAR = timedelta(days=365.25)  # an average year, leap days included
_UNITS = {"d": timedelta(days=1), "w": timedelta(weeks=1), "m": _YEAR / 12, "y": _YEAR}
UNIT_NAMES = {"d": "days", "w": "weeks", "m": "months", "y": "years"}


@dataclass(frozen=True)
class Retention:
    """A purge age as operators write it ("2y", "18m", "12w", "365d")."""

    amount: int
    unit: str  # d, w, m, y

    @classmethod
    def parse(cls, text: str) -> Retention:
        match = _DURATION.fullmatch(text or "")
        if not match:
            raise ValueError(
                f"invalid duration {text!r}: use a whole number and a unit, d (days), "
                "w (weeks), m (months) or y (years), e.g. 365d, 12w, 18m or 2y"
            )
        amount = int(match.group(1))
        if amount < 1:
            raise ValueError(f"invalid duration {text!r}: must be at least 1")
        return cls(amount, match.group(2).lower())

    @property
    def delta(self) -> timedelta:
        """A year is 365.25 days and a month a twelfth of that, so "12m" == "1y"."""
        return self.amount * _UNITS[self.unit]


@dataclass(frozen=True)
class PrivacyNotice:
    """The privacy line's facts: the network's privacy page, and how long closed requests
    keep their texts (None: the operators have set no purge age)."""

    url: str | None = None
    kept_for: Retention | None = None
