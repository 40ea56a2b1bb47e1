"""The channel digest: what it shows, and posting each period exactly once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.domain import rules
from bot.domain.digest import Digest
from bot.domain.request import Summary
from bot.domain.schedule import (
    DIGEST_GRACE,
    DigestSchedule,
    digest_weeks,
    lapse_due,
    latest_slot,
    period_key,
    week_start,
)
from bot.domain.states import Status
from bot.infra.db import SessionFactory
from bot.usecases.common import summaries
from bot.usecases.ports import Context
from models import DigestRun, ExchangeRequest, Expert


def build_digest(session_factory: SessionFactory, *, today: date) -> Digest:
    """Approved and matched exchanges of this and the next three weeks that have not ended,
    grouped by week; for each approved one, the partner cities still to name experts.

    It follows the date, not only the stored status: an approved exchange whose first day
    came without its experts, and a request still undecided on its first day, did not take
    place (the next `cr-bot remind` marks them so): neither is listed or counted."""
    mondays = digest_weeks(today)
    first, end = mondays[0], mondays[-1] + timedelta(days=7)
    with session_factory() as session:
        rows = session.exec(
            select(ExchangeRequest)
            .where(
                col(ExchangeRequest.status).in_(rules.UNDER_WAY),
                col(ExchangeRequest.date_from) < end,
                col(ExchangeRequest.date_to) >= max(first, today),  # not those that ended
            )
            .order_by(col(ExchangeRequest.date_from), col(ExchangeRequest.id))
        ).all()
        items = [
            s
            for s in summaries(session, list(rows))
            if not (s.status in rules.LAPSABLE and lapse_due(s.date_from, today))
        ]
        approved = [s.id for s in items if s.status == Status.APPROVED]
        named = set(
            session.exec(
                select(Expert.request_id, Expert.city_key).where(
                    col(Expert.request_id).in_(approved)
                )
            ).all()
            if approved
            else ()
        )
        pending = session.exec(
            select(func.count())
            .select_from(ExchangeRequest)
            .where(
                col(ExchangeRequest.status).in_(rules.DECIDABLE),
                col(ExchangeRequest.date_from) > today,
            )
        ).one()
    weeks: dict[date, list[Summary]] = {monday: [] for monday in mondays}
    for s in items:
        weeks[max(week_start(s.date_from), first)].append(s)
    missing = {
        s.id: tuple(c for c in s.partner_keys if (s.id, c) not in named)
        for s in items
        if s.status == Status.APPROVED
    }
    return Digest(today=today, weeks=list(weeks.items()), pending=int(pending), missing=missing)


def post_digest(
    session_factory: SessionFactory,
    ctx: Context,
    *,
    channel: str,
    schedule: DigestSchedule,
    lang: str,
    tz: ZoneInfo,
    now: datetime,
    force: bool = False,
) -> str:
    """Post the current period's digest once: "posted", "already posted" or "not due".

    The unique (channel, period) row decides, so schedulers on several instances and
    cron may all try at the same moment; the port puts the messages in the outbox
    in the same transaction.
    `force` (cr-bot digest --now) posts the current period even if its time is long past.
    """
    slot = latest_slot(schedule, now, tz)
    if not force and now - slot > DIGEST_GRACE:
        return "not due"
    period = period_key(slot)
    with session_factory() as session:
        done = session.exec(
            select(DigestRun.id).where(DigestRun.channel == channel, DigestRun.period == period)
        ).first()
    if done is not None:
        return "already posted"
    digest = build_digest(session_factory, today=now.astimezone(tz).date())
    try:
        with session_factory.begin() as session:
            session.add(DigestRun(channel=channel, period=period, created_at=now))
            session.flush()
            ctx.notify.digest(session, digest, channel, lang, now=now)
    except IntegrityError:
        return "already posted"
    return "posted"
