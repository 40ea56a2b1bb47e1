"""Scheduled jobs, in-process (APScheduler) or from cron (`cr-bot digest|remind|reflect`).

Every job may run on several instances at once: the database makes each digest,
reminder and reflection prompt happen once (see bot.usecases.digest and .jobs).
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.slack.services import Services
from bot.usecases import digest, followup, jobs, lessons, nudges, reflection

log = logging.getLogger(__name__)


def digest_job(services: Services, *, force: bool = False) -> str:
    """Post the digest of the current period if it is due and not posted yet."""
    settings = services.settings
    if not settings.digest_channel:
        return "no CR_DIGEST_CHANNEL set"
    services.refresh_directory()
    result = digest.post_digest(
        services.session_factory,
        services.context(),
        channel=settings.digest_channel,
        schedule=settings.digest_schedule,
        lang=settings.language,
        tz=settings.timezone,
        now=services.clock(),
        force=force,
    )
    services.deliver()
    return result


def remind_job(services: Services) -> str:
    services.refresh_directory()
    report = jobs.remind(
        services.session_factory,
        services.context(),
        now=services.clock(),
        hours=services.settings.working_hours,
        calendars=services.calendars(),
    )
    services.deliver()
    return str(report)


def reflect_job(services: Services) -> str:
    services.refresh_directory()
    report = jobs.reflect(
        services.session_factory,
        services.context(),
        now=services.clock(),
        hours=services.settings.working_hours,
        calendars=services.calendars(),
    )
    services.deliver()
    more = memory_jobs(services)
    return f"{report}; {more}" if more else str(report)


def memory_jobs(services: Services) -> str:
    """After the reflections: the joint summaries due after 14 days, the day-45 question,
    the one reminder of an unanswered reflection or cost claim prompt (7 days after it),
    and the day's lessons in the digest channel."""
    ctx, now, hours = services.context(), services.clock(), services.settings.working_hours
    calendars = services.calendars()
    summaries = reflection.joint_reflections_due(services.session_factory, ctx, now=now)
    asked = followup.ask_follow_ups(
        services.session_factory, ctx, now=now, hours=hours, calendars=calendars
    )
    reminded = nudges.remind_unanswered(
        services.session_factory, ctx, now=now, hours=hours, holidays=calendars.network
    )
    posted = 0
    if services.settings.digest_channel:
        posted = lessons.post_lessons(
            services.session_factory,
            ctx,
            channel=services.settings.digest_channel,
            lang=services.settings.language,
            now=now,
            hours=hours,
            holidays=calendars.network,
        )
    services.deliver()
    done = {
        "joint reflections": summaries,
        "follow-ups": asked,
        **reminded.counts,
        "lessons posted": posted,
    }
    return ", ".join(f"{k}: {v}" for k, v in done.items() if v)


def _safely(name: str, job: object, services: Services) -> None:
    try:
        result = job(services)  # type: ignore[operator]
        log.debug("job %s: %s", name, result)
    except Exception:
        log.exception("job %s failed; it runs again at its next time", name)


def start_scheduler(services: Services) -> BackgroundScheduler:
    """Run the jobs in a background thread: the digest check every minute, the rest every
    ten minutes (each job catches up on whatever became due meanwhile)."""
    scheduler = BackgroundScheduler(timezone=services.settings.timezone)
    for name, job, minutes in (
        ("digest", digest_job, 1),
        ("remind", remind_job, 10),
        ("reflect", reflect_job, 10),
    ):
        scheduler.add_job(
            _safely,
            IntervalTrigger(minutes=minutes, jitter=5),
            args=(name, job, services),
            id=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=300,
        )
    scheduler.start()
    return scheduler
