"""The estimate the directory's travel rates suggest for a request being filled in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.request import travelling
from bot.domain.travel import TravelRate, rate_between


@dataclass(frozen=True)
class CostLine:
    """One leg of a suggestion: `people` × the rate between `home` and `away`."""

    people: int
    cents_per_person: int
    home: str
    away: str

    @property
    def cents(self) -> int:
        return self.people * self.cents_per_person


@dataclass(frozen=True)
class CostSuggestion:
    lines: tuple[CostLine, ...]

    @property
    def cents(self) -> int:
        return sum(line.cents for line in self.lines)


def suggest_cost(
    rates: Sequence[TravelRate],
    *,
    own_city: str | None,
    partners: Sequence[str],
    travellers: int | None,
    format: str | None,
    direction: str | None,
) -> CostSuggestion | None:
    """The estimate the rates suggest: the people travelling × the rate to each partner
    city. None when nothing is known enough: no own city or partner yet, nobody travels
    (online, or 0 people), or a pair without a rate (half an estimate would mislead)."""
    if not own_city or not partners or travellers is None:
        return None
    people = travelling(travellers, format or "", direction or "")
    if people <= 0 or own_city in partners:
        return None
    lines = []
    for partner in partners:
        rate = rate_between(rates, own_city, partner)
        if rate is None:
            return None
        lines.append(CostLine(people, rate.cents_per_person, own_city, partner))
    return CostSuggestion(tuple(lines))
