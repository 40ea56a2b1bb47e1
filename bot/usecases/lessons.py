"""Lessons shared with the whole network go to the digest channel as "Aus der Reflexion":
at most once a day, grouped by exchange."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.domain.schedule import (
    NO_HOLIDAYS,
    WORKING_HOURS,
    HolidayCalendar,
    WorkingHours,
    within_working_hours,
)
from bot.infra.db import SessionFactory
from bot.slack.notify import Notifier
from bot.usecases.common import summaries
from bot.usecases.search import _lessons
from models import DigestRun, ExchangeRequest, Reflection


def post_lessons(
    session_factory: SessionFactory,
    notifier: Notifier,
    *,
    channel: str,
    lang: str,
    now: datetime,
    hours: WorkingHours = WORKING_HOURS,
    holidays: HolidayCalendar = NO_HOLIDAYS,
) -> int:
    """Post the lessons shared since the last post (once per day and channel, in working
    hours, not on the network's public `holidays`); returns how many lessons went out."""
    if not within_working_hours(now, hours, notifier.tz, holidays):
        return 0
    period = f"lessons:{now.astimezone(notifier.tz).date().isoformat()}"
    with session_factory() as session:
        if session.exec(
            select(DigestRun.id).where(DigestRun.channel == channel, DigestRun.period == period)
        ).first():
            return 0
        waiting = session.exec(
            select(Reflection.id, Reflection.request_id).where(
                Reflection.share == "network", col(Reflection.posted_at).is_(None)
            )
        ).all()
    if not waiting:
        return 0
    try:
        with session_factory.begin() as session:
            session.add(DigestRun(channel=channel, period=period, created_at=now))
            session.flush()
            ids = sorted({request_id for _id, request_id in waiting})
            lessons = _lessons(session, ids)
            requests = session.exec(
                select(ExchangeRequest).where(col(ExchangeRequest.id).in_(ids))
            ).all()
            grouped = [
                (s, lessons[s.id]) for s in summaries(session, list(requests)) if s.id in lessons
            ]
            session.execute(
                update(Reflection)
                .where(col(Reflection.id).in_([i for i, _r in waiting]))
                .values(posted_at=now)
            )
            if grouped:
                notifier.lessons(session, grouped, channel, lang, now=now)
    except IntegrityError:  # another instance posted today's
        return 0
    return sum(len(v) for _s, v in grouped)
