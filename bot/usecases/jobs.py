"""Scheduled jobs: reminders and escalations (of decisions and of namings), lapsing,
reflection prompts, completion.

Each step happens at most once per request: a unique ReminderSent row is written
in the same transaction as the messages, so two schedulers and a cron run at the
same moment send one of each.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.request import Summary
from bot.domain.schedule import (
    ESCALATE_AFTER_WORKING_DAYS,
    NO_CALENDARS,
    REMIND_AFTER_WORKING_DAYS,
    WORKING_HOURS,
    HolidayCalendar,
    HolidayCalendars,
    Reach,
    WorkingHours,
    add_working_days,
    completion_due,
    lapse_due,
    reflection_due,
    within_working_hours,
)
from bot.domain.states import Action, Status
from bot.infra.db import SessionFactory
from bot.usecases import claims, told
from bot.usecases.agreement import experts_of
from bot.usecases.budget import referred
from bot.usecases.common import load, still_to_name, summary, transition
from bot.usecases.ports import Context
from models import ExchangeRequest, Expert, ReminderSent

log = logging.getLogger(__name__)

# A step's work in run_once's transaction: False when there is nothing (left) to do.
Work = Callable[[Session, ExchangeRequest], bool]

# The steps that hand a request to the coordinators (recorded once per round, its version).
ESCALATED = "escalate"
NAMING_ESCALATED = "name_escalate"


@dataclass
class JobReport:
    counts: dict[str, int] = field(default_factory=dict)
    # Set when prompts were held back: outside these working hours nothing is sent.
    held_back: WorkingHours | None = None

    def add(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1

    def __str__(self) -> str:
        done = ", ".join(f"{k}: {v}" for k, v in sorted(self.counts.items()))
        if self.held_back is not None:
            note = f"outside working hours ({self.held_back}, Mon-Fri): no prompts sent"
            return f"{done}; {note}" if done else note
        return done or "nothing to do"


def run_once(
    session_factory: SessionFactory,
    request_id: int,
    step: str,
    round_: int,
    now: datetime,
    work: Callable[[Session, ExchangeRequest], bool],
) -> bool:
    """Run `work` and record the step in one transaction; False if it was done before."""
    with session_factory() as session:
        done = session.exec(
            select(ReminderSent.id).where(
                ReminderSent.request_id == request_id,
                ReminderSent.step == step,
                ReminderSent.round == round_,
            )
        ).first()
    if done is not None:
        return False
    try:
        with session_factory.begin() as session:
            session.add(ReminderSent(request_id=request_id, step=step, round=round_, sent_at=now))
            session.flush()
            request = session.get(ExchangeRequest, request_id)
            if request is None or not work(session, request):
                raise _Skip
    except (_Skip, IntegrityError):
        return False
    return True


class _Skip(Exception):
    """The request changed meanwhile; nothing to send."""


def remind(
    session_factory: SessionFactory,
    ctx: Context,
    *,
    now: datetime,
    hours: WorkingHours = WORKING_HOURS,
    calendars: HolidayCalendars = NO_CALENDARS,
) -> JobReport:
    """Remind the contacts after 2 working days; escalate to coordinators after 5. The same
    for the partner cities' namings after approval. A request not ready on its first day
    lapses (whatever the hour: its buttons must not outlive the date).

    Outside working hours no reminder is sent; the next run inside them sends what is due.
    Working days are those of whoever is asked: the contacts' city for the reminder, the
    network for the coordinators; on their public holiday it waits for the next one.
    """
    tz = ctx.tz
    report = JobReport()
    lapse(session_factory, ctx, now=now, report=report, hours=hours, calendars=calendars)
    if not within_working_hours(now, hours, tz):
        report.held_back = hours
        return report
    follow_namings(session_factory, ctx, now=now, report=report, calendars=calendars)
    with session_factory() as session:
        waiting = session.exec(
            select(
                ExchangeRequest.id,
                ExchangeRequest.version,
                ExchangeRequest.status_changed_at,
                ExchangeRequest.own_city_key,
            )
            .where(col(ExchangeRequest.status).in_(rules.DECIDABLE))
            .order_by(col(ExchangeRequest.status_changed_at))
        ).all()
    for request_id, version, since, city in waiting:
        assert request_id is not None

        def decision_step(step: str, days: int, version: int = version) -> Work:
            def work(session: Session, request: ExchangeRequest) -> bool:
                if request.status not in rules.DECIDABLE or request.version != version:
                    return False
                s = summary(session, request)
                if referred(session, [s]):
                    # Over budget the coordinators have it already: nobody is asked again.
                    return False
                if step == "remind":
                    deciders = told.deciders(session, ctx, s, now)
                    budget = told.budget(session, ctx, s) if deciders else None
                    ctx.notify.reminder(session, s, days, deciders=deciders, budget=budget, now=now)
                elif not told.coordinators_decide(session, s):
                    budget = told.budget(session, ctx, s) if ctx.directory.coordinators else None
                    ctx.notify.escalation(session, s, days, budget=budget, now=now)
                return True

            return work

        steps = (
            (ESCALATED, ESCALATE_AFTER_WORKING_DAYS, calendars.network),
            ("remind", REMIND_AFTER_WORKING_DAYS, calendars.of_city(city)),
        )
        _follow_up(
            session_factory, report, request_id, version, since, steps, decision_step, now, tz
        )
    return report


def _held_for_holiday(
    session_factory: SessionFactory, request_id: int, calendars: HolidayCalendars, today: date
) -> bool:
    """Is the reflection prompt still to be sent, and `today` a public holiday in the city
    of someone it asks (the requester or an expert)?"""
    if not calendars.anywhere(today):
        return False
    with session_factory() as session:
        sent = session.exec(
            select(ReminderSent.id).where(
                ReminderSent.request_id == request_id, ReminderSent.step == "reflect"
            )
        ).first()
        request = session.get(ExchangeRequest, request_id)
        if sent is not None or request is None:
            return False
        cities = session.exec(select(Expert.city_key).where(Expert.request_id == request_id))
        return calendars.of_cities([request.own_city_key, *cities]).is_holiday(today)


def lapse(
    session_factory: SessionFactory,
    ctx: Context,
    *,
    now: datetime,
    report: JobReport,
    hours: WorkingHours = WORKING_HOURS,
    calendars: HolidayCalendars = NO_CALENDARS,
) -> None:
    """Requests still undecided, or approved without every partner city's experts, on their
    first day: they did not take place. Their buttons close at once (whatever the hour);
    everyone involved is told in their working hours (their city's working days)."""
    today = ctx.today(now)
    with session_factory() as session:
        due = session.exec(
            select(col(ExchangeRequest.id), col(ExchangeRequest.date_from))
            .where(
                col(ExchangeRequest.status).in_(rules.LAPSABLE),
                col(ExchangeRequest.date_from) <= today,
            )
            .order_by(col(ExchangeRequest.date_from), col(ExchangeRequest.id))
        ).all()
    for request_id, date_from in due:
        assert request_id is not None
        if not lapse_due(date_from, today):
            continue
        with session_factory.begin() as session:
            previous = transition(
                session,
                request_id,
                Action.LAPSE,
                actor="system",
                now=now,
                comment=f"not ready on its first day ({date_from.isoformat()})",
            )
            if previous is not None:
                s = summary(session, load(session, request_id))
                experts = session.exec(
                    select(Expert.user_id, Expert.named_by)
                    .where(Expert.request_id == request_id)
                    .order_by(col(Expert.id))
                ).all()
                ctx.notify.lapsed(
                    session,
                    s,
                    previous,
                    missing=still_to_name(session, [request_id])[request_id],
                    experts=tuple(dict.fromkeys(u for pair in experts for u in pair)),
                    now=now,
                    reach=Reach(hours, ctx.tz, calendars, _cities_of(session, ctx, s)),
                )
        if previous is not None:
            report.add("lapse")


def _cities_of(session: Session, ctx: Context, s: Summary) -> dict[str, str]:
    """Whose holidays each person involved in a request keeps: the requester and experts
    their request's cities, contacts and topic contacts their city (coordinators and
    deputies the network's)."""
    cities: dict[str, str] = {}
    for city in ctx.directory.cities:
        cities.update(dict.fromkeys(city.contacts, city.key))
    for topic_contact in ctx.directory.topic_contacts:
        cities.update(dict.fromkeys(topic_contact.users, topic_contact.city))
    experts = select(Expert.user_id, Expert.city_key).where(Expert.request_id == s.id)
    cities.update({user: city for user, city in session.exec(experts).all()})
    cities[s.requester_id] = s.own_city_key
    return cities


def follow_namings(
    session_factory: SessionFactory,
    ctx: Context,
    *,
    now: datetime,
    report: JobReport,
    calendars: HolidayCalendars = NO_CALENDARS,
) -> None:
    """An approved request still missing experts: its naming contacts are reminded after 2
    working days, the coordinators get the naming buttons after 5; once each.

    Working days are those of whoever is asked, as for decisions: the cities still to name
    (a holiday in any of them holds the reminder), the network for the coordinators."""
    tz = ctx.tz
    with session_factory() as session:
        waiting = session.exec(
            select(ExchangeRequest.id, ExchangeRequest.version, ExchangeRequest.status_changed_at)
            .where(ExchangeRequest.status == Status.APPROVED)
            .order_by(col(ExchangeRequest.status_changed_at))
        ).all()
        unnamed = still_to_name(session, [request_id or 0 for request_id, *_ in waiting])
    for request_id, version, since in waiting:
        assert request_id is not None

        def naming_step(step: str, days: int, version: int = version) -> Work:
            def work(session: Session, request: ExchangeRequest) -> bool:
                if request.status != Status.APPROVED or request.version != version:
                    return False
                missing = still_to_name(session, [request.id or 0])[request.id or 0]
                if not missing:
                    return False
                s = summary(session, request)
                if step == "name_remind":
                    namers = [
                        (city, people)
                        for city, people in told.namers(session, ctx, s, now)
                        if city in missing
                    ]
                    ctx.notify.naming_reminder(session, s, days, namers=namers, now=now)
                else:
                    ctx.notify.naming_escalation(session, s, days, missing=missing, now=now)
                return True

            return work

        steps = (
            (NAMING_ESCALATED, ESCALATE_AFTER_WORKING_DAYS, calendars.network),
            ("name_remind", REMIND_AFTER_WORKING_DAYS, calendars.of_cities(unnamed[request_id])),
        )
        _follow_up(session_factory, report, request_id, version, since, steps, naming_step, now, tz)


def _follow_up(
    session_factory: SessionFactory,
    report: JobReport,
    request_id: int,
    version: int,
    since: datetime,
    steps: Sequence[tuple[str, int, HolidayCalendar]],
    work_for: Callable[[str, int], Work],
    now: datetime,
    tz: ZoneInfo,
) -> None:
    """The first of `steps` (the escalation, then the reminder) whose working days since
    `since` have passed, done once (run_once) with `work_for(step, days)`; on a public
    holiday of whoever is asked it waits. An escalation replaces a reminder not sent yet."""
    for step, days, holidays in steps:
        if now < add_working_days(since, days, tz, holidays):
            continue
        if holidays.is_holiday(now.astimezone(tz).date()):
            report.add(f"{step} held for a public holiday")
        elif run_once(session_factory, request_id, step, version, now, work_for(step, days)):
            report.add(step)
        return


def reflect(
    session_factory: SessionFactory,
    ctx: Context,
    *,
    now: datetime,
    hours: WorkingHours = WORKING_HOURS,
    calendars: HolidayCalendars = NO_CALENDARS,
) -> JobReport:
    """The day after an exchange: ask for reflections. 14 days after: complete it.

    The prompts wait for working hours, and for a day that is no public holiday in the
    city of anyone asked (requester and experts); completing (which sends nothing) does not.
    """
    today = now.astimezone(ctx.tz).date()
    report = JobReport()
    may_prompt = within_working_hours(now, hours, ctx.tz)
    if not may_prompt:
        report.held_back = hours
    with session_factory() as session:
        ended = session.exec(
            select(col(ExchangeRequest.id), col(ExchangeRequest.date_to))
            .where(
                # Only exchanges with their experts: one without them lapsed on its first day.
                col(ExchangeRequest.status).in_(rules.HELD),
                col(ExchangeRequest.date_to) < today,
            )
            .order_by(col(ExchangeRequest.date_to))
        ).all()
    for request_id, date_to in ended:
        assert request_id is not None
        prompt = may_prompt and reflection_due(date_to, today)
        held = prompt and _held_for_holiday(session_factory, request_id, calendars, today)
        if held:
            report.add("reflect held for a public holiday")
        if prompt and not held:

            def ask(session: Session, request: ExchangeRequest) -> bool:
                if request.status not in rules.HELD:
                    return False
                experts = session.exec(
                    select(Expert.user_id)
                    .where(Expert.request_id == request.id)
                    .order_by(col(Expert.id))
                ).all()
                # Together with the reflection prompt (just before it): the requester is
                # asked for the actual travel costs.
                claims.ask_for_costs(session, ctx, request, now=now)
                ctx.notify.reflection_prompt(
                    session, summary(session, request), list(experts), now=now
                )
                return True

            if run_once(session_factory, request_id, "reflect", 1, now, ask):
                report.add("reflect")
        if completion_due(date_to, today):
            with session_factory.begin() as session:
                done = transition(
                    session,
                    request_id,
                    Action.COMPLETE,
                    actor="system",
                    now=now,
                    comment="14 days after the end date",
                    values={"completed_at": now},
                )
                if done is not None:
                    s = summary(session, load(session, request_id))
                    ctx.notify.completed(
                        session, s, now=now, experts=experts_of(session, s).everyone
                    )
            if done is not None:
                report.add("complete")
    return report
