"""The facts the notifications need that the database holds: who decides or names now
(deputies for those away, by the domain's routing rules), the budget figures shown with a
request, the experts and the agreement of the group DM."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.domain import routing
from bot.domain.budget import BudgetLine
from bot.domain.request import Summary
from bot.domain.routing import Introduction
from bot.usecases.agreement import agreement_of, experts_of
from bot.usecases.budget import budget_line
from bot.usecases.deputies import away
from bot.usecases.ports import Context
from models import ActionMessage, Expert

# The coordinators' copy of a request whose city's contacts are all away (the notifier's
# tracked kind): they decide it.
ALL_AWAY = "away"


def deciders(session: Session, ctx: Context, s: Summary, now: datetime) -> tuple[str, ...]:
    """Who decides on `s` now (see `routing.deciders`)."""
    today = ctx.today(now)
    contacts = ctx.directory.contacts_of(s.own_city_key)
    return routing.deciders(ctx.directory, s.own_city_key, away(session, contacts, today), today)


def namers(
    session: Session, ctx: Context, s: Summary, now: datetime
) -> list[tuple[str, tuple[str, ...]]]:
    """Who is asked for the experts of each partner city (see `routing.namers`)."""
    today = ctx.today(now)
    people = {
        u for city in s.partner_keys for u in ctx.directory.naming_contacts(city, s.topic_key)
    }
    absent = away(session, sorted(people), today)
    return routing.namers(ctx.directory, s.partner_keys, s.topic_key, absent, today)


def budget(session: Session, ctx: Context, s: Summary) -> BudgetLine | None:
    """The budget figures shown with a decision message (None in a year without a budget)."""
    return budget_line(session, ctx.directory, s)


def introduction(session: Session, s: Summary) -> Introduction:
    """What the group DM's introduction shows: the experts and the agreement as it stands."""
    return Introduction(experts_of(session, s), agreement_of(session, s))


def coordinators_decide(session: Session, s: Summary) -> bool:
    """The coordinators have had the decision buttons since this round came in (every
    contact of the city being away)."""
    return (
        session.exec(
            select(ActionMessage.id).where(
                ActionMessage.request_id == s.id,
                ActionMessage.kind == ALL_AWAY,
                ActionMessage.round == s.version,
            )
        ).first()
        is not None
    )


def involved(session: Session, ctx: Context, s: Summary) -> tuple[str, ...]:
    """Who took part in `s` beyond its open messages, to be told of its end: the contact
    who decided, the contacts who named experts, and the coordinators who were sent
    anything about it (decision, escalation, budget or approval copies)."""
    named_by = session.exec(
        select(Expert.named_by).where(Expert.request_id == s.id).order_by(col(Expert.id))
    ).all()
    coordinators = session.exec(
        select(ActionMessage.user_id).where(
            ActionMessage.request_id == s.id,
            col(ActionMessage.user_id).in_(ctx.directory.coordinators),
        )
    ).all()
    people = [s.decided_by, *named_by, *coordinators]
    return tuple(dict.fromkeys(p for p in people if p and p != "system"))
