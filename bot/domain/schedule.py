"""Time rules: the digest schedule and periods, working days, reflection and completion dates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

REMIND_AFTER_WORKING_DAYS = 2
ESCALATE_AFTER_WORKING_DAYS = 5
COMPLETE_AFTER_DAYS = 14
DIGEST_WEEKS = 4
# A scheduler or cron that runs late still posts the digest, but not a stale one.
DIGEST_GRACE = timedelta(hours=12)
# Weekday names CR_DIGEST_SCHEDULE accepts, English and German.
DAYS = {
    "mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
    "mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4, "sa": 5, "so": 6,
}  # fmt: skip


class HolidayCalendar(Protocol):
    """A place's public holidays (built outside the domain, e.g. from the `holidays` package)."""

    def is_holiday(self, day: date) -> bool: ...


@dataclass(frozen=True)
class Holidays:
    """Public holidays as a plain set of dates."""

    days: frozenset[date] = frozenset()

    def is_holiday(self, day: date) -> bool:
        return day in self.days


NO_HOLIDAYS = Holidays()


@dataclass(frozen=True)
class AnyOf:
    """A day off for a group is a day off for any of its members: a message to people of
    several cities waits for a day that is a working day in each."""

    calendars: tuple[HolidayCalendar, ...]

    def is_holiday(self, day: date) -> bool:
        return any(c.is_holiday(day) for c in self.calendars)


@dataclass(frozen=True)
class HolidayCalendars:
    """Whose public holidays count: a person's city's; the network's for the coordinators,
    group conversations and channels, and for a city without holidays of its own."""

    network: HolidayCalendar = NO_HOLIDAYS
    cities: Mapping[str, HolidayCalendar] = field(default_factory=dict)

    def of_city(self, key: str | None) -> HolidayCalendar:
        return self.cities.get(key, self.network) if key else self.network

    def of_cities(self, keys: Iterable[str | None]) -> HolidayCalendar:
        """Off when it is a holiday in any of the cities `keys`."""
        return AnyOf(tuple(self.of_city(k) for k in dict.fromkeys(keys)))

    def anywhere(self, day: date) -> bool:
        """Is `day` a public holiday somewhere in the network (a cheap first look)?"""
        return self.network.is_holiday(day) or any(c.is_holiday(day) for c in self.cities.values())


NO_CALENDARS = HolidayCalendars()


@dataclass(frozen=True)
class DigestSchedule:
    """When digests go out: weekdays (0 = Monday) and a local time of day."""

    weekdays: tuple[int, ...]
    at: time

    @classmethod
    def parse(cls, text: str) -> DigestSchedule:
        """Parse `mon 09:00`, `mon,thu 08:30`, `daily 07:00` or `weekdays 09:00`."""
        match = re.fullmatch(r"\s*([A-Za-z,]+)\s+(\d{1,2}):(\d{2})\s*", text)
        if not match:
            raise ValueError(text)
        days_text, hour, minute = match.group(1).lower(), int(match.group(2)), int(match.group(3))
        if hour > 23 or minute > 59:
            raise ValueError(text)
        if days_text == "daily":
            days: tuple[int, ...] = tuple(range(7))
        elif days_text == "weekdays":
            days = tuple(range(5))
        else:
            try:
                days = tuple(sorted({DAYS[d] for d in days_text.split(",") if d}))
            except KeyError as exc:
                raise ValueError(text) from exc
        if not days:
            raise ValueError(text)
        return cls(weekdays=days, at=time(hour, minute))


@dataclass(frozen=True)
class WorkingHours:
    """When prompts and reminders may reach people: working days (Monday–Friday, not a
    public holiday where they work), from `start` until before `end`, local time."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """Parse `08:00-18:00` (also with – or spaces around the dash)."""
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*", text)
        if not match:
            raise ValueError(text)
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise ValueError(text)
        start, end = time(h1, m1), time.max if h2 == 24 else time(h2, m2)
        if end <= start:
            raise ValueError(text)
        return cls(start=start, end=end)

    def __str__(self) -> str:
        end = "24:00" if self.end == time.max else f"{self.end:%H:%M}"
        return f"{self.start:%H:%M}-{end}"


WORKING_HOURS = WorkingHours(start=time(8, 0), end=time(18, 0))


def is_working_day(day: date, holidays: HolidayCalendar = NO_HOLIDAYS) -> bool:
    """Monday to Friday, and not a public holiday of `holidays`."""
    return day.weekday() < 5 and not holidays.is_holiday(day)


def within_working_hours(
    now: datetime, hours: WorkingHours, tz: ZoneInfo, holidays: HolidayCalendar = NO_HOLIDAYS
) -> bool:
    """May a prompt or reminder go out at `now`? Only on working days (public `holidays`
    excepted) within `hours`, read on the local clock of `tz` (so summer time moves nothing)."""
    local = now.astimezone(tz)
    return is_working_day(local.date(), holidays) and hours.start <= local.time() < hours.end


def next_working_moment(
    now: datetime, hours: WorkingHours, tz: ZoneInfo, holidays: HolidayCalendar = NO_HOLIDAYS
) -> datetime:
    """`now` if a message may reach people now (`within_working_hours`), else the start of
    the next working hours on a working day (public `holidays` skipped)."""
    if within_working_hours(now, hours, tz, holidays):
        return now
    local = now.astimezone(tz)
    day = local.date()
    if not (is_working_day(day, holidays) and local.time() < hours.start):
        day += timedelta(days=1)
        while not is_working_day(day, holidays):
            day += timedelta(days=1)
    return datetime.combine(day, hours.start, tzinfo=tz)


@dataclass(frozen=True)
class Reach:
    """When news that need not be read at once may reach each person: in working hours on a
    working day of their city (`cities`: person -> city key; anyone else keeps the
    network's holidays)."""

    hours: WorkingHours
    tz: ZoneInfo
    calendars: HolidayCalendars = NO_CALENDARS
    cities: Mapping[str, str] = field(default_factory=dict)

    def at(self, user: str, now: datetime) -> datetime:
        holidays = self.calendars.of_city(self.cities.get(user))
        return next_working_moment(now, self.hours, self.tz, holidays)


def latest_slot(schedule: DigestSchedule, now: datetime, tz: ZoneInfo) -> datetime:
    """The most recent scheduled digest time at or before `now` (aware, in `tz`)."""
    local = now.astimezone(tz)
    for back in range(8):
        day = local.date() - timedelta(days=back)
        if day.weekday() in schedule.weekdays:
            slot = datetime.combine(day, schedule.at, tzinfo=tz)
            if slot <= local:
                return slot
    raise AssertionError("a schedule has at least one weekday")


def period_key(slot: datetime) -> str:
    """The digest period's name: its scheduled local time, e.g. 2026-11-30T09:00."""
    return slot.strftime("%Y-%m-%dT%H:%M")


def add_working_days(
    start: datetime, days: int, tz: ZoneInfo, holidays: HolidayCalendar = NO_HOLIDAYS
) -> datetime:
    """`start` moved forward by `days` working days (Monday–Friday, public `holidays`
    skipped), keeping the time of day.

    A start on a day off (weekend or holiday) counts from the next working day's 00:00.
    """
    local = start.astimezone(tz)
    while not is_working_day(local.date(), holidays):
        local = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    added = 0
    while added < days:
        local += timedelta(days=1)
        if is_working_day(local.date(), holidays):
            added += 1
    return local


def reflection_due(date_to: date, today: date) -> bool:
    """Reflections are asked for the day after the exchange's end."""
    return today >= date_to + timedelta(days=1)


def lapse_due(date_from: date, today: date) -> bool:
    """A request not ready by its first day (undecided, experts missing) did not take place."""
    return today >= date_from


def completion_due(date_to: date, today: date) -> bool:
    """Without a reflection, a request completes 14 days after its end."""
    return today >= date_to + timedelta(days=COMPLETE_AFTER_DAYS)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def digest_weeks(today: date, weeks: int = DIGEST_WEEKS) -> list[date]:
    """The Mondays of the weeks a digest covers, starting with this week."""
    first = week_start(today)
    return [first + timedelta(weeks=i) for i in range(weeks)]
