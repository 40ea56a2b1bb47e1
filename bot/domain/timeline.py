"""Where an exchange stands on a given day: statuses, lists and the digest follow the date.

An approved or matched exchange is upcoming (or under way) until its last day; from the
day after, it is over and waits for its reflection, although its stored status stays
what it was until the first reflection (or the 14-day completion) closes it.
"""

from __future__ import annotations

from datetime import date

from bot.domain import rules
from bot.domain.schedule import lapse_due


def is_over(status: str, date_to: date, today: date) -> bool:
    """An approved or matched exchange whose last day has passed."""
    return status in rules.UNDER_WAY and date_to < today


def may_withdraw(status: str, date_to: date, today: date) -> bool:
    """Offer *Anfrage zurückziehen*: while the request is open and the exchange not over."""
    return rules.is_open(status) and not is_over(status, date_to, today)


def status_key(status: str, date_from: date, date_to: date, today: date | None) -> str:
    """The text key of the status to show on `today`: a request still undecided or without
    its experts on its first day did not take place (even before the job has marked it); an
    exchange whose last day has passed waits for its reflection; else the stored status."""
    if today is not None:
        if status in rules.LAPSABLE and lapse_due(date_from, today):
            return "status.lapsed"
        if is_over(status, date_to, today):
            return "phase.ended"
    return f"status.{status}"
