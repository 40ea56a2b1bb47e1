"""One reminder for a question left unanswered: a reflection prompt, a cost claim prompt.

Seven days after the prompt (in working hours) the people who have not answered are
reminded once; then never again. Each reminder is a run-once step of its request
(bot.usecases.jobs.run_once), so two schedulers and cron send one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.claims import ClaimStatus
from bot.domain.schedule import (
    NO_HOLIDAYS,
    WORKING_HOURS,
    HolidayCalendar,
    WorkingHours,
    within_working_hours,
)
from bot.infra.db import SessionFactory
from bot.usecases.common import summary
from bot.usecases.jobs import JobReport, run_once
from bot.usecases.ports import Context
from bot.usecases.reflection import reflectors
from models import CostClaim, ExchangeRequest, Reflection, ReminderSent

REMIND_AFTER = timedelta(days=7)
# A bot that was away reminds late, but not of prompts long past.
REMIND_WINDOW = timedelta(days=21)
PROMPT_STEP = "reflect"  # the reflection prompt's step (bot.usecases.jobs.reflect)
REFLECTION_REMINDER = "reflect_reminder"
CLAIM_REMINDER = "claim_reminder"


def remind_unanswered(
    session_factory: SessionFactory,
    ctx: Context,
    *,
    now: datetime,
    hours: WorkingHours = WORKING_HOURS,
    holidays: HolidayCalendar = NO_HOLIDAYS,
) -> JobReport:
    """The job (part of `cr-bot reflect`): remind once whoever has not reflected, and the
    requester who has not claimed the travel costs, 7 days after they were asked."""
    report = JobReport()
    if not within_working_hours(now, hours, ctx.tz, holidays):
        report.held_back = hours
        return report
    due, too_old = now - REMIND_AFTER, now - REMIND_AFTER - REMIND_WINDOW
    with session_factory() as session:
        prompted = session.exec(
            select(ReminderSent.request_id, ReminderSent.sent_at)
            .join(ExchangeRequest, col(ExchangeRequest.id) == col(ReminderSent.request_id))
            .where(
                ReminderSent.step == PROMPT_STEP,
                col(ReminderSent.sent_at) <= due,
                col(ReminderSent.sent_at) > too_old,
                col(ExchangeRequest.status).in_(rules.AGREED),
                col(ExchangeRequest.purged_at).is_(None),
            )
            .order_by(col(ReminderSent.sent_at))
        ).all()
        unclaimed = session.exec(
            select(CostClaim.request_id, CostClaim.asked_at)
            .join(ExchangeRequest, col(ExchangeRequest.id) == col(CostClaim.request_id))
            .where(
                CostClaim.status == ClaimStatus.ASKED,
                col(CostClaim.asked_at) <= due,
                col(CostClaim.asked_at) > too_old,
                col(ExchangeRequest.status).in_(rules.AGREED),
                col(ExchangeRequest.purged_at).is_(None),
            )
            .order_by(col(CostClaim.asked_at))
        ).all()
    for request_id, asked_at in prompted:

        def remind_reflection(
            session: Session, request: ExchangeRequest, asked_at: datetime = asked_at
        ) -> bool:
            if request.status not in rules.AGREED:
                return False
            answered = set(
                session.exec(
                    select(Reflection.user_id).where(Reflection.request_id == request.id)
                ).all()
            )
            missing = [user for user, _ in reflectors(session, request) if user not in answered]
            if not missing:
                return False
            s = summary(session, request)
            ctx.notify.reflection_reminder(session, s, missing, asked_at, now=now)
            return True

        if run_once(session_factory, request_id, REFLECTION_REMINDER, 1, now, remind_reflection):
            report.add("reflection reminders")
    for request_id, asked_at in unclaimed:

        def remind_claim(
            session: Session, request: ExchangeRequest, asked_at: datetime = asked_at
        ) -> bool:
            claim = session.get(CostClaim, request.id)
            if request.status not in rules.AGREED or claim is None:
                return False
            if claim.status != ClaimStatus.ASKED:
                return False
            ctx.notify.claim_reminder(session, summary(session, request), asked_at, now=now)
            return True

        if run_once(session_factory, request_id, CLAIM_REMINDER, 1, now, remind_claim):
            report.add("claim reminders")
    return report
