"""Naming the experts of the partner cities, and marking a request matched."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.errors import Refused
from bot.domain.request import Summary
from bot.domain.states import Action, Status
from bot.infra.db import SessionFactory
from bot.usecases import deputies, told
from bot.usecases.common import already, audit, explained, load_request, summary, transition
from bot.usecases.decisions import Done
from bot.usecases.ports import Context
from bot.usecases.search import refresh_document
from models import ExchangeRequest, Expert, RequestPartner


def check_namer(
    session_factory: SessionFactory,
    request_id: int,
    city_key: str,
    actor: str,
    ctx: Context,
    *,
    now: datetime | None = None,
) -> Summary:
    """Raise Refused unless `actor` may name the experts of `city_key` for this request now
    (`now` given: a deputy standing in for one of the namers may)."""
    with session_factory() as session:
        request = load_request(session, request_id)
        _check_namer(session, request, city_key, actor, ctx, now)
        return summary(session, request)


def _check_namer(
    session: Session,
    request: ExchangeRequest,
    city_key: str,
    actor: str,
    ctx: Context,
    now: datetime | None,
) -> str | None:
    partners = session.exec(
        select(RequestPartner.city_key).where(RequestPartner.request_id == request.id)
    ).all()
    named = session.exec(
        select(Expert.named_by, Expert.named_at)
        .where(Expert.request_id == request.id, Expert.city_key == city_key)
        .order_by(col(Expert.id))
    ).first()
    today = deputies.local_day(now, ctx.tz) if now else None
    standing = deputies.standing_in(session, actor, today) if today else ()
    with explained(session, request):
        return rules.check_name(
            ctx.directory,
            actor,
            request,
            city_key,
            partners=partners,
            named=(named[0], named[1]) if named else None,
            standing_in=standing,
        )


def name_experts(
    session_factory: SessionFactory,
    request_id: int,
    city_key: str,
    experts: list[str],
    *,
    actor: str,
    note: str | None,
    ctx: Context,
    now: datetime,
    offer: str | None = None,
) -> Done:
    """Store the experts of one partner city and introduce everyone in a group DM.

    The request becomes `matched` when every partner city has named at least one expert.
    """
    with session_factory.begin() as session:
        # Under the request's lock: of two namings at once (two partner cities, or two
        # contacts of one city) the second reads what the first committed, so the city is
        # named once and the last naming, whichever it is, matches the request once.
        request = load_request(session, request_id, lock=True)
        on_behalf_of = _check_namer(session, request, city_key, actor, ctx, now)
        if request.requester_id in experts:
            # Not a refusal of the naming as a whole: the person picks someone else.
            raise Refused("err.expert_self_request", field="experts")
        _check_not_named(session, request_id, experts)
        for user in experts:
            session.add(
                Expert(
                    request_id=request_id,
                    city_key=city_key,
                    user_id=user,
                    named_by=actor,
                    note=note,
                    offer=offer,
                    named_at=now,
                )
            )
        session.flush()
        partners = set(
            session.exec(
                select(RequestPartner.city_key).where(RequestPartner.request_id == request_id)
            ).all()
        )
        named = set(
            session.exec(select(Expert.city_key).where(Expert.request_id == request_id)).all()
        )
        matched = partners <= named
        if offer:
            refresh_document(session, request_id, now=now)
        if matched:
            changed = transition(
                session,
                request_id,
                Action.MATCH,
                actor=actor,
                now=now,
                comment="all partner cities named experts",
                on_behalf_of=on_behalf_of,
            )
            if changed is None:  # moved on meanwhile: nothing named, nobody told
                raise already(session, request)
        else:
            audit(
                session,
                request_id=request_id,
                actor=actor,
                action="name",
                now=now,
                comment=f"{city_key}: {', '.join(experts)}",
                on_behalf_of=on_behalf_of,
            )
        s = summary(session, request)
        ctx.notify.experts_named(
            session,
            s,
            city_key,
            actor,
            experts,
            note,
            now=now,
            matched=told.introduction(session, s) if matched else None,
            on_behalf_of=on_behalf_of,
            waiting=tuple(sorted(partners - named)),
        )
    return Done(s, Action.MATCH if matched else Action.APPROVE)


def _check_not_named(session: Session, request_id: int, experts: list[str]) -> None:
    """A person is the expert of one partner city per request (the unique key): one named
    already is refused under the field, saying by whom."""
    taken = session.exec(
        select(Expert.user_id, Expert.named_by)
        .where(Expert.request_id == request_id, col(Expert.user_id).in_(experts))
        .order_by(col(Expert.id))
    ).first()
    if taken is not None:
        raise Refused(
            "err.expert_already_named", {"user": taken[0], "actor": taken[1]}, field="experts"
        )


def mark_matched(
    session_factory: SessionFactory,
    request_id: int,
    *,
    actor: str,
    ctx: Context,
    now: datetime,
) -> Done:
    """A coordinator marks an approved request matched (experts found outside the bot), or a
    lapsed one as having taken place after all."""
    with session_factory.begin() as session:
        request = load_request(session, request_id)
        rules.check_mark_matched(ctx.directory, actor)
        if request.status == Status.LAPSED:
            return _took_place(session, request, actor=actor, ctx=ctx, now=now)
        changed = transition(
            session,
            request_id,
            Action.MATCH,
            actor=actor,
            now=now,
            comment="marked matched by a coordinator",
        )
        if changed is None:
            raise already(session, request)
        s = summary(session, request)
        introduction = told.introduction(session, s)
        ctx.notify.request_matched(session, s, actor, introduction=introduction, now=now)
    return Done(s, Action.MATCH)


def _took_place(
    session: Session, request: ExchangeRequest, *, actor: str, ctx: Context, now: datetime
) -> Done:
    """Lapsed → matched, with the audit entry saying who recorded it: the reflections and
    the cost claim are asked for as after any exchange."""
    assert request.id is not None
    changed = transition(
        session,
        request.id,
        Action.TOOK_PLACE,
        actor=actor,
        now=now,
        comment="took place after all: marked matched by a coordinator",
    )
    if changed is None:
        raise already(session, request)
    s = summary(session, request)
    ctx.notify.took_place(session, s, actor, now=now)
    return Done(s, Action.MATCH)
