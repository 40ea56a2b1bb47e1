"""Where an exchange stands on a given day: statuses, lists and the digest follow the date.

An approved or matched exchange is upcoming (or under way) until its last day; from the
day after, it is over and waits for its reflection, although its stored status stays
what it was until the first reflection (or the 14-day completion) closes it.
"""

from __future__ import annotations

from datetime import date

from bot.domain import rules


def is_over(status: str, date_to: date, today: date) -> bool:
    """An approved or matched exchange whose last day has passed."""
    return status in rules.UNDER_WAY and date_to < today


def may_withdraw(status: str, date_to: date, today: date) -> bool:
    """Offer *Anfrage zurückziehen*: while the request is open and the exchange not over."""
    return rules.is_open(status) and not is_over(status, date_to, today)
