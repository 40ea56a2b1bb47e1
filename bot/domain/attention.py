"""What waits for the coordination: why a request or a claim needs the coordinators, which
requests start soon, and the order they are shown in (waiting longest first)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.domain.budget import BudgetLine
from bot.domain.claims import Claim
from bot.domain.request import Summary

# A request still undecided or without all its experts this many days before its first
# day is shown to the coordinators (it lapses on that day).
SOON_DAYS = 7


class Why(StrEnum):
    """Why an item waits for the coordination (an item may have several reasons)."""

    # A contact's approval would exceed the budget: the coordinators decide.
    REFERRED = "referred"
    # Undecided for 5 working days: escalated to the coordinators.
    ESCALATED = "escalated"
    # Every contact of the requester's city is away: the coordinators decide.
    AWAY = "away"
    # A partner city has not named its experts for 5 working days.
    NAMING_ESCALATED = "naming_escalated"
    # Its first day is near and it is still undecided or without all its experts.
    SOON = "soon"
    # Cost claims: to be checked (sachlich richtig), to be paid.
    CLAIM_CHECK = "claim_check"
    CLAIM_PAY = "claim_pay"


def starts_soon(date_from: date, today: date) -> bool:
    """Its first day is today or within the next `SOON_DAYS` days."""
    return today <= date_from <= today + timedelta(days=SOON_DAYS)


@dataclass(frozen=True)
class Waiting:
    """One request (or its claim) waiting for the coordination, and since when.

    `missing`: the partner cities still to name experts (a naming); `claim`: the claim to
    check or pay; `budget`: the figures of a request referred over budget."""

    request: Summary
    reasons: tuple[Why, ...]
    since: datetime
    missing: tuple[str, ...] = ()
    claim: Claim | None = None
    budget: BudgetLine | None = None


def oldest_first(items: Iterable[Waiting]) -> list[Waiting]:
    """Waiting longest first; at the same moment, the older request first."""
    return sorted(items, key=lambda w: (w.since, w.request.id))


@dataclass(frozen=True)
class Attention:
    """What a coordinator's Home shows: the items waiting longest (at most a screenful) and
    how many wait in all."""

    items: tuple[Waiting, ...] = ()
    total: int = 0
