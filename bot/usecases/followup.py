"""Day 45 after the end: "Haben Sie etwas davon umgesetzt?" — asked once, answered once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.errors import Refused
from bot.domain.request import Summary
from bot.domain.schedule import (
    NO_CALENDARS,
    WORKING_HOURS,
    HolidayCalendars,
    WorkingHours,
    within_working_hours,
)
from bot.domain.states import Status
from bot.infra.db import SessionFactory
from bot.usecases.common import load_request, summary
from bot.usecases.jobs import run_once
from bot.usecases.ports import Context
from bot.usecases.reflection import FOLLOW_UP_STEP
from models import ExchangeRequest, FollowUp

FOLLOW_UP_AFTER_DAYS = 45
# A bot that was away asks late, but not about exchanges long past.
FOLLOW_UP_WINDOW_DAYS = 30
ANSWERS = ("yes", "partly", "not_yet")
NOTE_MAX = 300


def ask_follow_ups(
    session_factory: SessionFactory,
    ctx: Context,
    *,
    now: datetime,
    hours: WorkingHours = WORKING_HOURS,
    calendars: HolidayCalendars = NO_CALENDARS,
) -> int:
    """The job: ask every requester whose exchange ended 45 days ago, once, in working
    hours (not on a public holiday of the requester's city). Returns how many were asked."""
    if not within_working_hours(now, hours, ctx.tz):
        return 0
    today = now.astimezone(ctx.tz).date()
    last = today - timedelta(days=FOLLOW_UP_AFTER_DAYS)
    with session_factory() as session:
        found = session.exec(
            select(ExchangeRequest.id, ExchangeRequest.own_city_key).where(
                ExchangeRequest.status == Status.COMPLETED,
                col(ExchangeRequest.date_to) <= last,
                col(ExchangeRequest.date_to) > last - timedelta(days=FOLLOW_UP_WINDOW_DAYS),
                col(ExchangeRequest.purged_at).is_(None),
            )
        ).all()
    due = [i for i, city in found if not calendars.of_city(city).is_holiday(today)]

    def ask(session: Session, request: ExchangeRequest) -> bool:
        ctx.notify.follow_up(session, summary(session, request), now=now)
        return True

    return sum(
        1
        for i in due
        if i is not None and run_once(session_factory, i, FOLLOW_UP_STEP, 1, now, ask)
    )


def check_answerer(session_factory: SessionFactory, request_id: int, actor: str) -> Summary:
    """Raise Refused unless `actor` is the requester and has not answered yet."""
    with session_factory() as session:
        _check(session, request_id, actor)
        return summary(session, load_request(session, request_id))


def _check(session: Session, request_id: int, actor: str) -> None:
    request = load_request(session, request_id)
    if request.requester_id != actor or request.status not in rules.AGREED:
        raise Refused("refused.followup_not_yours", {"id": request_id})
    if session.get(FollowUp, request_id) is not None:
        raise Refused("refused.followup_done", {"id": request_id})


def answer_follow_up(
    session_factory: SessionFactory,
    request_id: int,
    *,
    actor: str,
    answer: str,
    note: str | None,
    now: datetime,
    ctx: Context,
) -> None:
    """Store the requester's answer (once; the report counts it); the question's buttons
    close."""
    if answer not in ANSWERS:
        raise Refused("err.choose", field="follow_up")
    try:
        with session_factory.begin() as session:
            _check(session, request_id, actor)
            session.add(
                FollowUp(
                    request_id=request_id,
                    user_id=actor,
                    answer=answer,
                    note=(note or "").strip()[:NOTE_MAX] or None,
                    answered_at=now,
                )
            )
            session.flush()
            s = summary(session, load_request(session, request_id))
            ctx.notify.followed_up(session, s, answer, now=now)
    except IntegrityError:
        raise Refused("refused.followup_done", {"id": request_id}) from None
