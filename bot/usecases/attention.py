"""What waits for the coordination, for a coordinator's Home tab: requests referred over
budget, escalated or with every contact away; namings escalated; requests starting within
a week still undecided or without their experts; claims to check and to pay."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.attention import SOON_DAYS, Attention, Waiting, Why, oldest_first, starts_soon
from bot.domain.claims import ClaimStatus
from bot.domain.directory import Directory
from bot.domain.request import Summary, people_travelling
from bot.domain.states import Status
from bot.infra.db import SessionFactory
from bot.usecases.budget import REFERRED, budget_line
from bot.usecases.claims import claim_of
from bot.usecases.common import still_to_name, summaries
from bot.usecases.jobs import ESCALATED, NAMING_ESCALATED
from bot.usecases.told import ALL_AWAY
from models import ActionMessage, CostClaim, ExchangeRequest, ReminderSent

SHOWN = 8  # rows on the Home tab; the rest is counted
# Undecided: waiting for the home city's decision, or for the requester's answer.
UNDECIDED = rules.DECIDABLE | {Status.NEEDS_INFO}
# Claims waiting for a coordinator, and why.
CLAIM_STEPS = {ClaimStatus.CLAIMED: Why.CLAIM_CHECK, ClaimStatus.CHECKED: Why.CLAIM_PAY}


def attention_for(
    session_factory: SessionFactory, user: str, directory: Directory, *, today: date
) -> Attention | None:
    """What waits for the coordination, as `user` sees it on their Home tab; None for anyone
    who is not a coordinator (they do not see the section)."""
    if not directory.is_coordinator(user):
        return None
    with session_factory() as session:
        items = waiting_for_coordination(session, directory, today=today)
    return Attention(tuple(items[:SHOWN]), len(items))


def waiting_for_coordination(
    session: Session, directory: Directory, *, today: date
) -> list[Waiting]:
    """Every request and claim waiting for the coordination, waiting longest first.

    The decisions' and the namings' candidates are read together (one read of what was
    handed over, one of the open requests), the shown requests' partner cities at once."""
    handed = _handed_over(
        session, rules.DECIDABLE | rules.NAMING, (REFERRED, ESCALATED, NAMING_ESCALATED)
    )
    deciding = {i: steps for i, (status, steps) in handed.items() if status in rules.DECIDABLE}
    escalated = {
        i
        for i, (status, steps) in handed.items()
        if status in rules.NAMING and NAMING_ESCALATED in steps
    }
    away = set(
        session.exec(
            select(ActionMessage.request_id)
            .join(ExchangeRequest, col(ExchangeRequest.id) == col(ActionMessage.request_id))
            .where(
                col(ExchangeRequest.status).in_(rules.DECIDABLE),
                ActionMessage.kind == ALL_AWAY,
                col(ActionMessage.round) == col(ExchangeRequest.version),
            )
        ).all()
    )
    undecided_ids = {i for i, steps in deciding.items() if steps & {REFERRED, ESCALATED}} | away
    rows = _open(session, UNDECIDED | rules.NAMING, undecided_ids | escalated, today)
    undecided = [r for r in rows if r.status in UNDECIDED and _wanted(r, undecided_ids, today)]
    naming = [r for r in rows if r.status in rules.NAMING and _wanted(r, escalated, today)]
    claims = _claim_rows(session)
    shown = summaries(session, [*undecided, *naming, *(request for _, request in claims)])
    a, b = len(undecided), len(undecided) + len(naming)
    return oldest_first(
        [
            *_decisions(session, directory, today, undecided, shown[:a], deciding, away),
            *_namings(session, today, naming, shown[a:b], escalated),
            *_claims(claims, shown[b:]),
        ]
    )


def _handed_over(
    session: Session, statuses: frozenset[Status], steps: tuple[str, ...]
) -> dict[int, tuple[str, set[str]]]:
    """Requests in `statuses` handed to the coordinators by these steps in their current
    round (the request's version: a question or an edit starts a new one), with their
    status and the steps. Read from the open requests (few, by their status index) to
    their steps."""
    found: dict[int, tuple[str, set[str]]] = {}
    for request_id, status, step in session.exec(
        select(ReminderSent.request_id, ExchangeRequest.status, ReminderSent.step)
        .join(ExchangeRequest, col(ExchangeRequest.id) == col(ReminderSent.request_id))
        .where(
            col(ExchangeRequest.status).in_(statuses),
            col(ReminderSent.step).in_(steps),
            col(ReminderSent.round) == col(ExchangeRequest.version),
        )
    ).all():
        found.setdefault(request_id, (status, set()))[1].add(step)
    return found


def _soon(today: date) -> tuple[date, date]:
    return today, today + timedelta(days=SOON_DAYS)


def _open(
    session: Session, statuses: frozenset[Status], ids: set[int], today: date
) -> list[ExchangeRequest]:
    """The requests in `statuses` among `ids`, or starting within `SOON_DAYS` days."""
    first, last = _soon(today)
    soon = and_(col(ExchangeRequest.date_from) >= first, col(ExchangeRequest.date_from) <= last)
    which = or_(col(ExchangeRequest.id).in_(sorted(ids)), soon) if ids else soon
    return list(
        session.exec(
            select(ExchangeRequest).where(
                col(ExchangeRequest.status).in_(statuses),
                col(ExchangeRequest.purged_at).is_(None),
                which,
            )
        ).all()
    )


def _wanted(row: ExchangeRequest, ids: set[int], today: date) -> bool:
    """Among `ids`, or starting soon (what `_open` asked the database for)."""
    first, last = _soon(today)
    return row.id in ids or first <= row.date_from <= last


def _decisions(
    session: Session,
    directory: Directory,
    today: date,
    rows: list[ExchangeRequest],
    shown: list[Summary],
    handed: dict[int, set[str]],
    away: set[int],
) -> list[Waiting]:
    """Undecided requests the coordinators decide (referred over budget, escalated, every
    contact away), or starting soon."""
    found = []
    for row, s in zip(rows, shown, strict=True):
        reasons = []
        steps = handed.get(s.id, set())
        if REFERRED in steps:
            reasons.append(Why.REFERRED)
        if ESCALATED in steps:
            reasons.append(Why.ESCALATED)
        if s.id in away:
            reasons.append(Why.AWAY)
        if starts_soon(s.date_from, today):
            reasons.append(Why.SOON)
        if not reasons:
            continue
        line = budget_line(session, directory, s) if Why.REFERRED in reasons else None
        found.append(Waiting(s, tuple(reasons), row.status_changed_at, budget=line))
    return found


def _namings(
    session: Session,
    today: date,
    rows: list[ExchangeRequest],
    shown: list[Summary],
    escalated: set[int],
) -> list[Waiting]:
    """Approved requests still missing experts: escalated, or starting soon."""
    missing = still_to_name(session, [r.id for r in rows if r.id is not None])
    found = []
    for row, s in zip(rows, shown, strict=True):
        reasons = [Why.NAMING_ESCALATED] if s.id in escalated else []
        if starts_soon(s.date_from, today):
            reasons.append(Why.SOON)
        if reasons and missing.get(s.id):
            found.append(Waiting(s, tuple(reasons), row.status_changed_at, missing=missing[s.id]))
    return found


def _claim_rows(session: Session) -> list[tuple[CostClaim, ExchangeRequest]]:
    """Claims to check and to pay, with their requests."""
    return list(
        session.exec(
            select(CostClaim, ExchangeRequest)
            .join(ExchangeRequest, col(ExchangeRequest.id) == col(CostClaim.request_id))
            .where(
                col(CostClaim.status).in_(list(CLAIM_STEPS)),
                col(ExchangeRequest.status).in_(rules.AGREED),
                col(ExchangeRequest.purged_at).is_(None),
            )
        ).all()
    )


def _claims(pairs: list[tuple[CostClaim, ExchangeRequest]], shown: list[Summary]) -> list[Waiting]:
    """Claims to check and to pay, since they came into that state (their last change)."""
    found = []
    for (claim, request), s in zip(pairs, shown, strict=True):
        why = CLAIM_STEPS[ClaimStatus(claim.status)]
        shown_claim = claim_of(claim, people_travelling(request))
        found.append(Waiting(s, (why,), claim.updated_at, claim=shown_claim))
    return found
