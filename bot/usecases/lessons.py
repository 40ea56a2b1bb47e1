"""Lessons shared with the whole network go to the digest channel as "Aus der Reflexion":
at most once a day, grouped by exchange.

A post holds at most `EXCHANGES_PER_POST` exchanges with `LESSONS_PER_EXCHANGE` lessons
each (an exchange with more continues in the next post); a day's run sends up to
`POSTS_PER_DAY` posts. Only the lessons a post shows are marked posted: whatever did not
fit waits for the next day's post, oldest first, and is never dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain.reflection import Lesson
from bot.domain.request import Summary
from bot.domain.schedule import (
    NO_HOLIDAYS,
    WORKING_HOURS,
    HolidayCalendar,
    WorkingHours,
    within_working_hours,
)
from bot.infra.db import SessionFactory
from bot.usecases.common import summaries
from bot.usecases.ports import Context
from bot.usecases.search import PURGED_PREFIX
from models import DigestRun, ExchangeRequest, Reflection

EXCHANGES_PER_POST = 20  # sections of one message (Slack allows 50 blocks)
LESSONS_PER_EXCHANGE = 5  # lines of one section (Slack allows 3,000 characters)
POSTS_PER_DAY = 5

Entry = tuple[Summary, Sequence[Lesson]]


def post_lessons(
    session_factory: SessionFactory,
    ctx: Context,
    *,
    channel: str,
    lang: str,
    now: datetime,
    hours: WorkingHours = WORKING_HOURS,
    holidays: HolidayCalendar = NO_HOLIDAYS,
) -> int:
    """Post the lessons shared since the last post (once per day and channel, in working
    hours, not on the network's public `holidays`); returns how many lessons went out."""
    if not within_working_hours(now, hours, ctx.tz, holidays):
        return 0
    period = f"lessons:{now.astimezone(ctx.tz).date().isoformat()}"
    with session_factory() as session:
        if session.exec(
            select(DigestRun.id).where(DigestRun.channel == channel, DigestRun.period == period)
        ).first():
            return 0
        if not session.exec(select(Reflection.id).where(*_waiting())).first():
            return 0
    shown = 0
    try:
        with session_factory.begin() as session:
            session.add(DigestRun(channel=channel, period=period, created_at=now))
            session.flush()
            posts, marked = _todays_posts(session)
            session.execute(
                update(Reflection).where(col(Reflection.id).in_(marked)).values(posted_at=now)
            )
            for post in posts:
                ctx.notify.lessons(session, post, channel, lang, now=now)
                shown += sum(len(lessons) for _s, lessons in post)
    except IntegrityError:  # another instance posted today's
        return 0
    return shown


def _waiting() -> tuple[Any, ...]:
    return (Reflection.share == "network", col(Reflection.posted_at).is_(None))


def _todays_posts(session: Session) -> tuple[list[list[Entry]], list[int]]:
    """Today's posts (oldest lessons first) and the ids of the reflections they show, with
    the waiting ones that have nothing to show."""
    rows = session.exec(
        select(Reflection)
        .where(*_waiting())
        .order_by(col(Reflection.created_at), col(Reflection.id))
    ).all()
    marked = [r.id for r in rows if not (r.worked or r.not_worked or r.will_apply)]
    by_request: dict[int, list[Reflection]] = {}
    for r in rows:
        if r.worked or r.not_worked or r.will_apply:
            by_request.setdefault(r.request_id, []).append(r)
    requests = session.exec(
        select(ExchangeRequest).where(col(ExchangeRequest.id).in_(list(by_request)))
    ).all()
    summary_of = {s.id: s for s in summaries(session, list(requests))}
    # Oldest first; an exchange shows up to LESSONS_PER_EXCHANGE lessons a post, its
    # further lessons wait for the next post (before the exchanges that did not fit).
    pending = [(summary_of[i], found) for i, found in by_request.items() if i in summary_of]
    posts: list[list[Entry]] = []
    while pending and len(posts) < POSTS_PER_DAY:
        post: list[Entry] = []
        rest: list[tuple[Summary, list[Reflection]]] = []
        for s, found in pending:
            if len(post) == EXCHANGES_PER_POST:
                rest.append((s, found))
                continue
            shown, more = found[:LESSONS_PER_EXCHANGE], found[LESSONS_PER_EXCHANGE:]
            post.append((s, [_lesson(r) for r in shown]))
            marked += [r.id for r in shown]
            if more:
                rest.append((s, more))
        posts.append(post)
        pending = rest
    return posts, [i for i in marked if i is not None]


def _lesson(r: Reflection) -> Lesson:
    user = None if r.user_id.startswith(PURGED_PREFIX) else r.user_id
    return Lesson(user, r.worked, r.not_worked, r.will_apply)
