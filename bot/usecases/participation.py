"""The participants' side: the exchanges a person takes part in (as an expert), who has
been named for a request, and the certificate of participation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.directory import Directory
from bot.domain.participation import EXPERT, REQUESTER, Certificate, Part
from bot.infra.db import SessionFactory
from bot.usecases.common import load_request, summaries, summary
from bot.usecases.ports import Context
from models import AgreementConfirmation, ExchangeRequest, Expert, Reflection, RequestPartner

# Per partner city (the request's order), the experts it named; () while still to name.
Named = tuple[tuple[str, tuple[str, ...]], ...]


def send_certificate(
    session_factory: SessionFactory, request_id: int, user: str, *, ctx: Context, now: datetime
) -> None:
    """`user` asks for their certificate again: Refused unless they took part in the
    exchange, it is completed, and not purged; else it goes into their DM (made when it is
    sent, as on completion). Under the request's lock: one still on its way is not doubled."""
    with session_factory.begin() as session:
        request, _ = _participant(session, request_id, user, lock=True)
        ctx.notify.certificate_asked(session, summary(session, request), user, now=now)


def _participant(
    session: Session, request_id: int, user: str, *, lock: bool = False
) -> tuple[ExchangeRequest, Sequence[tuple[str, str, str]]]:
    """The request and its experts (user, city, named by), once `user` may have a
    certificate of it."""
    request = load_request(session, request_id, lock=lock)
    experts = session.exec(
        select(Expert.user_id, Expert.city_key, Expert.named_by)
        .where(Expert.request_id == request_id)
        .order_by(col(Expert.id))
    ).all()
    rules.check_certificate(user, request, experts=[e[0] for e in experts])
    return request, experts


def certificate_for(
    session_factory: SessionFactory,
    request_id: int,
    user: str,
    *,
    directory: Directory,
    tz: ZoneInfo,
) -> Certificate:
    """The certificate of `user` for this exchange; Refused unless they took part in it
    (requester or named expert), it is completed, and not purged."""
    with session_factory() as session:
        request, experts = _participant(session, request_id, user)
        s = summary(session, request)
    if user == s.requester_id:
        part = Part(s, REQUESTER, s.own_city_key)
    else:
        _, city, named_by = next(e for e in experts if e[0] == user)
        part = Part(s, EXPERT, city, named_by=named_by)
    completed = request.completed_at or request.status_changed_at
    return Certificate(
        part=part,
        network=directory.network_name,
        issued=_local_day(completed, tz),
        signature=directory.certificate_signature,
        signature_en=directory.certificate_signature_en,
    )


def _local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def expert_parts(session: Session, user: str, *, limit: int) -> tuple[list[Part], int]:
    """The exchanges `user` was named expert for, newest first (by their first day), with
    whether they confirmed the agreement and reflected; and how many there are in all."""
    rows = session.exec(
        select(ExchangeRequest, Expert.city_key, Expert.named_by, func.count().over())
        .join(Expert, col(Expert.request_id) == col(ExchangeRequest.id))
        .where(Expert.user_id == user, col(ExchangeRequest.purged_at).is_(None))
        .order_by(col(ExchangeRequest.date_from).desc(), col(ExchangeRequest.id).desc())
        .limit(limit)
    ).all()
    # The window count is of every match, before the LIMIT (none on the page: none at all).
    total = int(rows[0][3]) if rows else 0
    ids = [r.id for r, _, _, _ in rows if r.id is not None]
    confirmed = _done(session, AgreementConfirmation, ids, user)
    reflected = _done(session, Reflection, ids, user)
    shown = summaries(session, [r for r, _, _, _ in rows])
    return [
        Part(s, EXPERT, city, named_by, s.id in confirmed, s.id in reflected)
        for s, (_, city, named_by, _) in zip(shown, rows, strict=True)
    ], total


def _done(
    session: Session,
    model: type[AgreementConfirmation] | type[Reflection],
    request_ids: Sequence[int],
    user: str,
) -> set[int]:
    if not request_ids:
        return set()
    return set(
        session.exec(
            select(model.request_id).where(
                col(model.request_id).in_(request_ids), model.user_id == user
            )
        ).all()
    )


def named_by_city(session: Session, request_ids: Sequence[int]) -> dict[int, Named]:
    """For each request, every partner city with the experts it named (() while it is
    still to name them)."""
    if not request_ids:
        return {}
    experts: dict[tuple[int, str], list[str]] = {}
    for request_id, city, user in session.exec(
        select(Expert.request_id, Expert.city_key, Expert.user_id)
        .where(col(Expert.request_id).in_(request_ids))
        .order_by(col(Expert.id))
    ).all():
        experts.setdefault((request_id, city), []).append(user)
    named: dict[int, Named] = {i: () for i in request_ids}
    for request_id, city in session.exec(
        select(RequestPartner.request_id, RequestPartner.city_key)
        .where(col(RequestPartner.request_id).in_(request_ids))
        .order_by(col(RequestPartner.city_key))
    ).all():
        named[request_id] += ((city, tuple(experts.get((request_id, city), ()))),)
    return named
