"""Travel cost help: the directory's rates per city pair, and the estimate they suggest.

A rate is per person and applies in both directions (Bremen–Leipzig costs what
Leipzig–Bremen costs), so the directory holds one entry per pair. The suggestion is only
a suggestion: the requester types the estimate, the bot never fills it in by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class TravelRate:
    """One [[travel_rate]] of the directory file: euros (in cents) per person travelling."""

    from_city: str
    to_city: str
    cents_per_person: int

    @property
    def pair(self) -> frozenset[str]:
        return frozenset((self.from_city, self.to_city))


def rate_between(rates: Iterable[TravelRate], a: str, b: str) -> TravelRate | None:
    """The rate for the pair, whichever way round the directory wrote it."""
    return next((r for r in rates if r.pair == frozenset((a, b))), None)
