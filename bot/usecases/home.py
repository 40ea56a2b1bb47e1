"""What a person's Home tab shows: their requests, what waits for them, what is coming up."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.budget import BudgetLine
from bot.domain.deputies import Absence
from bot.domain.directory import Directory
from bot.domain.participation import Part
from bot.domain.request import Summary
from bot.domain.schedule import digest_weeks
from bot.domain.states import Status
from bot.infra.db import SessionFactory
from bot.usecases import deputies
from bot.usecases.budget import budget_lines, referred
from bot.usecases.common import still_to_name, summaries
from bot.usecases.participation import Named, expert_parts, named_by_city
from models import ExchangeRequest, Expert, RequestPartner

SHOWN = 8  # per list; the rest is counted ("and N more")


@dataclass(frozen=True)
class HomeData:
    mine: list[Summary]
    mine_total: int
    to_decide: list[Summary]
    to_decide_total: int
    to_name: list[tuple[Summary, str]]  # (request, partner city to name experts for)
    upcoming: list[Summary]
    upcoming_total: int
    # Budget figures of the requests to decide, by request id (years with a budget).
    budgets: dict[int, BudgetLine] = field(default_factory=dict)
    # Deputies: may this person name one (a contact, a coordinator), their own absence,
    # and whom they stand in for.
    may_set_deputy: bool = False
    absence: Absence | None = None
    standing_in: list[Absence] = field(default_factory=list)
    # Requests handed to the coordinators over budget (their Home keeps the buttons; a
    # contact's shows it as referred), and whether this person is a coordinator.
    referred: frozenset[int] = frozenset()
    coordinator: bool = False
    # The day it is shown for: statuses follow the date (bot.domain.timeline).
    today: date | None = None
    # My approved requests: the partner cities still to name their experts, by request id.
    waiting: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # Coordinators: the requests that did not take place, latest first; any coordinator
    # may mark one as having taken place after all.
    lapsed: list[Summary] = field(default_factory=list)
    lapsed_total: int = 0
    # The exchanges this person was named expert for (newest first), and how many in all.
    parts: list[Part] = field(default_factory=list)
    parts_total: int = 0
    # My agreed requests and those I am expert for: per partner city, whom it named
    # (() while still to name), by request id.
    named: dict[int, Named] = field(default_factory=dict)


def home_for(
    session_factory: SessionFactory, user: str, directory: Directory, *, today: date
) -> HomeData:
    with session_factory() as session:
        mine, mine_total = _page(
            session,
            select(ExchangeRequest, _TOTAL)
            .where(ExchangeRequest.requester_id == user)
            .order_by(col(ExchangeRequest.created_at).desc(), col(ExchangeRequest.id).desc()),
        )
        standing = deputies.away(session, deputies.standing_in(session, user, today), today)
        to_decide, to_decide_total = _to_decide(session, user, directory, tuple(standing))
        to_name = _to_name(session, user, directory, tuple(standing))
        absence = deputies.away(session, [user], today).get(user)
        mondays = digest_weeks(today)
        upcoming, upcoming_total = _page(
            session,
            select(ExchangeRequest, _TOTAL)
            .where(
                col(ExchangeRequest.status).in_(rules.UNDER_WAY),
                col(ExchangeRequest.date_from) < mondays[-1] + timedelta(days=7),
                col(ExchangeRequest.date_to) >= today,  # not those that ended
            )
            .order_by(col(ExchangeRequest.date_from), col(ExchangeRequest.id)),
        )
        # The three lists' partner cities in one read.
        shown = summaries(session, list({r.id: r for r in [*to_decide, *mine, *upcoming]}.values()))
        by_id = {s.id: s for s in shown}
        deciding = [by_id[r.id] for r in to_decide if r.id is not None]
        own = [by_id[r.id] for r in mine if r.id is not None]
        approved = [r.id for r in mine if r.id is not None and r.status == Status.APPROVED]
        lapsed, lapsed_total = _lapsed(session) if directory.is_coordinator(user) else ([], 0)
        parts, parts_total = expert_parts(session, user, limit=SHOWN)
        agreed = [r.id for r in mine if r.id is not None and r.status in rules.UNDER_WAY]
        agreed += [p.request.id for p in parts if p.request.status == Status.APPROVED]
        return HomeData(
            parts=parts,
            parts_total=parts_total,
            named=named_by_city(session, agreed),
            lapsed=lapsed,
            lapsed_total=lapsed_total,
            waiting=still_to_name(session, approved),
            mine=own,
            mine_total=mine_total,
            to_decide=deciding,
            to_decide_total=to_decide_total,
            to_name=to_name,
            upcoming=[by_id[r.id] for r in upcoming if r.id is not None],
            upcoming_total=upcoming_total,
            budgets=budget_lines(session, directory, deciding),
            may_set_deputy=_may_set_deputy(user, directory),
            absence=absence,
            standing_in=list(standing.values()),
            referred=referred(session, deciding + own),
            coordinator=directory.is_coordinator(user),
            today=today,
        )


# How many rows match in all, beside each row of a page (counted before the LIMIT): a
# list and its "and N more" in one statement.
_TOTAL = func.count().over()


def _page(session: Session, query: Any, limit: int = SHOWN) -> tuple[list[ExchangeRequest], int]:
    """The first `limit` requests of `query` (which selects a request and `_TOTAL`), and
    how many it matches in all (none on the page: none at all, as there is no offset)."""
    rows = session.exec(query.limit(limit)).all()
    return [row[0] for row in rows], int(rows[0][1]) if rows else 0


def _lapsed(session: Session) -> tuple[list[Summary], int]:
    """Requests that did not take place, the latest first day first (not purged ones:
    nothing is left of them to mark)."""
    rows, total = _page(
        session,
        select(ExchangeRequest, _TOTAL)
        .where(ExchangeRequest.status == Status.LAPSED, col(ExchangeRequest.purged_at).is_(None))
        .order_by(col(ExchangeRequest.date_from).desc(), col(ExchangeRequest.id).desc()),
    )
    return summaries(session, rows), total


def _may_set_deputy(user: str, directory: Directory) -> bool:
    return (
        directory.is_coordinator(user)
        or any(user in c.contacts for c in directory.cities)
        or any(user in tc.users for tc in directory.topic_contacts)
    )


def _to_decide(
    session: Session, user: str, directory: Directory, standing_in: tuple[str, ...] = ()
) -> tuple[list[ExchangeRequest], int]:
    """Submitted requests of the cities this person decides for (all, for coordinators),
    also as the deputy of one of their contacts."""
    conditions: list[object] = [col(ExchangeRequest.status).in_(rules.DECIDABLE)]
    if not directory.is_coordinator(user):
        people = {user, *standing_in}
        cities = [c.key for c in directory.cities if people & set(c.contacts)]
        if not cities:
            return [], 0
        conditions.append(col(ExchangeRequest.own_city_key).in_(cities))
    return _page(
        session,
        select(ExchangeRequest, _TOTAL)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(col(ExchangeRequest.status_changed_at), col(ExchangeRequest.id)),
    )


def _to_name(
    session: Session, user: str, directory: Directory, standing_in: tuple[str, ...] = ()
) -> list[tuple[Summary, str]]:
    """Approved requests whose partner city still needs experts named by this person (or by
    someone they stand in for)."""
    people = {user, *standing_in}
    cities = {c.key for c in directory.cities if people & set(c.contacts)}
    cities |= {tc.city for tc in directory.topic_contacts if people & set(tc.users)}
    if directory.is_coordinator(user):
        cities = {c.key for c in directory.cities}
    if not cities:
        return []
    named = select(Expert.request_id).where(
        Expert.request_id == RequestPartner.request_id, Expert.city_key == RequestPartner.city_key
    )
    rows = session.exec(
        select(ExchangeRequest, RequestPartner.city_key)
        .join(RequestPartner, col(RequestPartner.request_id) == col(ExchangeRequest.id))
        .where(
            col(ExchangeRequest.status).in_(rules.NAMING),
            col(RequestPartner.city_key).in_(cities),
            ~named.exists(),
        )
        .order_by(col(ExchangeRequest.date_from), col(ExchangeRequest.id))
        .limit(SHOWN * 2)
    ).all()
    mine = [
        (r, city)
        for r, city in rows
        if any(directory.may_name(u, city, r.topic_key) for u in people)
    ][:SHOWN]
    shown = summaries(session, [r for r, _ in mine])
    return [(s, city) for s, (_, city) in zip(shown, mine, strict=True)]
