"""The agreement at matching: each participant confirms it once in the group DM."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.errors import Refused
from bot.domain.request import Summary
from bot.infra.db import SessionFactory
from bot.slack.agreement import Agreement
from bot.usecases.common import already, load_request, summary
from models import AgreementConfirmation, Expert

if TYPE_CHECKING:  # the notifier renders the agreement with agreement_of below
    from bot.slack.notify import Notifier


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


def confirm(
    session_factory: SessionFactory,
    request_id: int,
    *,
    actor: str,
    channel: str,
    ts: str,
    notifier: Notifier,
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
                    notifier.agreement_confirmed(session, s, channel=channel, ts=ts, now=now)
                    closed.handed_on = True
            else:
                agreement = _confirmed(session, s, actor, now)
                notifier.agreement_confirmed(session, s, channel=channel, ts=ts, now=now)
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
