"""Travel budgets: which budget a request is charged to, and what would remain.

Money is in cents (integers). A city with its own share for a year is charged to it;
every other city's requests share the network's budget of that year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

NETWORK = ""  # the city_key of the network's own budget


@dataclass(frozen=True)
class BudgetInfo:
    """One [[budget]] of the directory file."""

    year: int
    amount_cents: int
    city: str = NETWORK


@dataclass(frozen=True)
class Money:
    """An amount in a refusal's parameters: each reader sees it in their own format."""

    cents: int


def to_cents(amount: Decimal | None) -> int | None:
    """Euros (two decimals) as cents; None stays None."""
    if amount is None:
        return None
    return int((amount * 100).to_integral_value())


def budget_for(budgets: Iterable[BudgetInfo], year: int, city: str) -> BudgetInfo | None:
    """The budget a request of `city` starting in `year` is charged to, if any."""
    network = None
    for budget in budgets:
        if budget.year != year:
            continue
        if budget.city == city:
            return budget
        if budget.city == NETWORK:
            network = budget
    return network


def own_shares(budgets: Iterable[BudgetInfo], year: int) -> frozenset[str]:
    """The cities with a share of their own in `year` (not charged to the network's)."""
    return frozenset(b.city for b in budgets if b.year == year and b.city != NETWORK)


@dataclass(frozen=True)
class BudgetLine:
    """The figures shown with a request: the budget, what is already committed to it,
    this request's estimate (None: none given, counts as 0), what would remain."""

    year: int
    city: str  # NETWORK or the city with its own share
    amount_cents: int
    committed_cents: int
    estimate_cents: int | None

    @property
    def remaining_cents(self) -> int:
        return self.amount_cents - self.committed_cents - (self.estimate_cents or 0)

    @property
    def over(self) -> bool:
        """Approving would take the committed sum over the budget. A request that costs
        nothing (no estimate, or 0) never does, however far over the budget already is."""
        return bool(self.estimate_cents) and self.remaining_cents < 0
