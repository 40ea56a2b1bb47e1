"""Reflections after an exchange: the first one completes the request."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.db import SessionFactory
from bot.domain import rules
from bot.domain.errors import Refused
from bot.domain.request import Summary
from bot.domain.states import Action, Status
from bot.notify import Notifier
from bot.usecases.common import load_request, summary, transition
from models import ExchangeRequest, Expert, Reflection


def _check(session: Session, request: ExchangeRequest, actor: str, today: date) -> None:
    experts = session.exec(select(Expert.user_id).where(Expert.request_id == request.id)).all()
    done = session.exec(
        select(Reflection.id).where(
            Reflection.request_id == request.id, Reflection.user_id == actor
        )
    ).first()
    rules.check_reflect(actor, request, experts=experts, today=today, reflected=done is not None)


def check_reflector(
    session_factory: SessionFactory,
    request_id: int,
    actor: str,
    *,
    notifier: Notifier,
    now: datetime,
) -> Summary:
    """Raise Refused unless `actor` took part, the exchange ended, and they have not reflected."""
    with session_factory() as session:
        request = load_request(session, request_id)
        _check(session, request, actor, now.astimezone(notifier.tz).date())
        return summary(session, request)


def submit_reflection(
    session_factory: SessionFactory,
    request_id: int,
    *,
    actor: str,
    worked: str | None,
    not_worked: str | None,
    recommend: bool | None,
    rating: int,
    notifier: Notifier,
    now: datetime,
) -> Summary:
    """Store one reflection per person; the first one completes the request."""
    try:
        with session_factory.begin() as session:
            request = load_request(session, request_id)
            _check(session, request, actor, now.astimezone(notifier.tz).date())
            session.add(
                Reflection(
                    request_id=request_id,
                    user_id=actor,
                    worked=worked,
                    not_worked=not_worked,
                    recommend=recommend,
                    rating=rating,
                    created_at=now,
                )
            )
            session.flush()
            completing = request.status != Status.COMPLETED
            if completing:
                transition(
                    session,
                    request_id,
                    Action.COMPLETE,
                    actor=actor,
                    now=now,
                    values={"completed_at": now},
                    comment="first reflection",
                )
            s = summary(session, request)
            notifier.reflected(session, s, actor, now=now)
            if completing:
                notifier.completed(session, s, now=now)
    except IntegrityError:
        raise Refused("refused.already_reflected", {"id": request_id}) from None
    return s
