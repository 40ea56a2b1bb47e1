"""The agreement at matching: each participant confirms it once in the group DM."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.agreement import Agreement
from bot.domain.errors import Refused
from bot.domain.request import Summary
from bot.domain.routing import Experts, Introduction, Named
from bot.infra.db import SessionFactory
from bot.usecases.common import already, load_request, summary
from bot.usecases.ports import Context
from models import AgreementConfirmation, Expert


def agreement_of(session: Session, s: Summary) -> Agreement:
    """The agreement as it stands: offers per partner city, participants, who confirmed."""
    experts = session.exec(
        select(Expert).where(Expert.request_id == s.id).order_by(col(Expert.id))
    ).all()
    offers = []
    for city in s.partner_keys:
        offer = next((e.offer for e in experts if e.city_key == city and e.offer), None)
        if offer:
            offers.append((city, offer))
    people = [s.requester_id, *(e.user_id for e in experts), *(e.named_by for e in experts)]
    confirmed = session.exec(
        select(AgreementConfirmation.user_id)
        .where(AgreementConfirmation.request_id == s.id)
        .order_by(col(AgreementConfirmation.confirmed_at), col(AgreementConfirmation.id))
    ).all()
    return Agreement(s, tuple(offers), tuple(dict.fromkeys(people)), tuple(confirmed))


def experts_of(session: Session, s: Summary) -> Experts:
    """Who named which experts, per partner city in the request's order, and their notes."""
    rows = session.exec(
        select(Expert).where(Expert.request_id == s.id).order_by(col(Expert.id))
    ).all()
    named: Named = []
    notes: list[tuple[str, str]] = []
    for city in s.partner_keys:
        mine = [e for e in rows if e.city_key == city]
        if mine:
            named.append((city, [e.user_id for e in mine], mine[0].named_by))
            if mine[0].note:
                notes.append((city, mine[0].note))
    return Experts(named, notes, tuple(e.user_id for e in rows))


def confirm(
    session_factory: SessionFactory,
    request_id: int,
    *,
    actor: str,
    channel: str,
    ts: str,
    ctx: Context,
    now: datetime,
) -> Agreement:
    """`actor` confirms; the introduction at (channel, ts) then shows who confirmed.

    Only while the exchange is agreed: a click after it was withdrawn (or closed otherwise)
    changes nothing, says why, and draws the introduction again without the button."""
    closed: Refused | None = None
    try:
        with session_factory.begin() as session:
            request = load_request(session, request_id)
            s = summary(session, request)
            if request.status not in rules.AGREED:
                closed = already(session, request)
                if channel and ts:  # the message still shows the button: drawn without it
                    introduction = Introduction(experts_of(session, s), agreement_of(session, s))
                    ctx.notify.agreement_confirmed(
                        session, s, introduction, channel=channel, ts=ts, now=now
                    )
                    closed.handed_on = True
            else:
                agreement = _confirmed(session, s, actor, now)
                introduction = Introduction(experts_of(session, s), agreement)
                ctx.notify.agreement_confirmed(
                    session, s, introduction, channel=channel, ts=ts, now=now
                )
    except IntegrityError:
        raise Refused("refused.already_confirmed", {"id": request_id}) from None
    if closed is not None:
        raise closed
    return agreement


def _confirmed(session: Session, s: Summary, actor: str, now: datetime) -> Agreement:
    """`actor`'s confirmation stored (a second one fails the unique key); the agreement."""
    if actor not in agreement_of(session, s).participants:
        raise Refused("refused.agreement_outsider", {"id": s.id})
    session.add(AgreementConfirmation(request_id=s.id, user_id=actor, confirmed_at=now))
    session.flush()
    return agreement_of(session, s)
