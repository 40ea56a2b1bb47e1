"""Reflections after an exchange: the first one completes the request."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.errors import Refused
from bot.domain.reflection import Shared
from bot.domain.request import Summary
from bot.domain.states import Action, Status
from bot.infra.db import SessionFactory
from bot.usecases.agreement import experts_of
from bot.usecases.common import load_request, summary, transition
from bot.usecases.ports import Context
from bot.usecases.search import refresh_document
from models import ExchangeRequest, Expert, Reflection, ReminderSent


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
    ctx: Context,
    now: datetime,
) -> Summary:
    """Raise Refused unless `actor` took part, the exchange ended, and they have not reflected."""
    with session_factory() as session:
        request = load_request(session, request_id)
        _check(session, request, actor, now.astimezone(ctx.tz).date())
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
    ctx: Context,
    now: datetime,
    will_apply: str | None = None,
    share: str = "report",
) -> Summary:
    """Store one reflection per person; the first one completes the request; the last one
    asked posts the joint reflection to the group DM."""
    try:
        with session_factory.begin() as session:
            request = load_request(session, request_id)
            _check(session, request, actor, now.astimezone(ctx.tz).date())
            session.add(
                Reflection(
                    request_id=request_id,
                    user_id=actor,
                    worked=worked,
                    not_worked=not_worked,
                    recommend=recommend,
                    rating=rating,
                    created_at=now,
                    will_apply=will_apply,
                    share=share if share in rules.SHARE_CHOICES else "report",
                )
            )
            session.flush()
            if share == "network":  # found in search from now on
                refresh_document(session, request_id, now=now)
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
            ctx.notify.reflected(session, s, actor, now=now)
            if completing:
                ctx.notify.completed(session, s, now=now, experts=experts_of(session, s).everyone)
            post_joint_reflection(session, request, ctx, now=now, due=False)
    except IntegrityError:
        raise Refused("refused.already_reflected", {"id": request_id}) from None
    return s


# --- the joint reflection in the group DM ------------------------------------------------

SUMMARY_STEP = "summary"
FOLLOW_UP_STEP = "followup"
SUMMARY_AFTER_DAYS = 14  # without every answer, the summary goes out this long after the end
SUMMARY_WINDOW_DAYS = 60  # older exchanges are not summarised late any more


def reflectors(session: Session, request: ExchangeRequest) -> list[tuple[str, str]]:
    """Who is asked to reflect, with their city: the requester, then the experts."""
    experts = session.exec(
        select(Expert.user_id, Expert.city_key)
        .where(Expert.request_id == request.id)
        .order_by(col(Expert.id))
    ).all()
    people = {request.requester_id: request.own_city_key}
    for user, city in experts:
        people.setdefault(user, city)
    return list(people.items())


def post_joint_reflection(
    session: Session, request: ExchangeRequest, ctx: Context, *, now: datetime, due: bool
) -> bool:
    """Post the summary once: when everyone asked has answered, or when `due` (14 days).
    Only what each person shared with the participants (or the network) is in it."""
    asked = reflectors(session, request)
    rows = session.exec(
        select(Reflection)
        .where(Reflection.request_id == request.id)
        .order_by(col(Reflection.created_at), col(Reflection.id))
    ).all()
    if not rows or (not due and len(rows) < len(asked)):
        return False
    try:
        with session.begin_nested():  # the unique step: of two racing callers one posts
            session.add(
                ReminderSent(request_id=request.id or 0, step=SUMMARY_STEP, round=1, sent_at=now)
            )
    except IntegrityError:
        return False
    city_of = dict(asked)
    shared = [
        Shared(
            r.user_id, city_of.get(r.user_id, ""), r.rating, r.worked, r.not_worked, r.will_apply
        )
        for r in rows
        if r.share in ("participants", "network")
    ]
    if shared:
        s = summary(session, request)
        ctx.notify.joint_reflection(
            session,
            s,
            shared,
            experts=experts_of(session, s),
            answered=len(rows),
            asked=len(asked),
            now=now,
        )
    return True


def joint_reflections_due(session_factory: SessionFactory, ctx: Context, *, now: datetime) -> int:
    """The job: summaries of exchanges ended 14 days ago whose participants did not all
    answer. Returns how many were posted."""
    today = now.astimezone(ctx.tz).date()
    done = select(ReminderSent.request_id).where(ReminderSent.step == SUMMARY_STEP)
    with session_factory() as session:
        due = session.exec(
            select(ExchangeRequest.id).where(
                col(ExchangeRequest.status).in_(rules.AGREED),
                col(ExchangeRequest.date_to) <= today - timedelta(days=SUMMARY_AFTER_DAYS),
                col(ExchangeRequest.date_to) > today - timedelta(days=SUMMARY_WINDOW_DAYS),
                col(ExchangeRequest.purged_at).is_(None),
                col(ExchangeRequest.id).not_in(done),
            )
        ).all()
    posted = 0
    for request_id in due:
        with session_factory.begin() as session:
            request = session.get(ExchangeRequest, request_id)
            if request is not None and post_joint_reflection(
                session, request, ctx, now=now, due=True
            ):
                posted += 1
    return posted
