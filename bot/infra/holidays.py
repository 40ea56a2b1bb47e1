"""Public holidays from the `holidays` package, for the codes of the directory file.

A code is a country ("DE") or a country and one of its subdivisions ("DE-BY"), as the
`holidays` package names them. The domain sees only `HolidayCalendar`s: each year's
holidays as a plain set of dates, worked out here once per code and year.
"""

from __future__ import annotations

import threading
from datetime import date
from functools import lru_cache

import holidays

from bot.domain.directory import Directory
from bot.domain.schedule import NO_HOLIDAYS, HolidayCalendar, HolidayCalendars


def code_problem(code: str) -> str | None:
    """Why `code` names no holidays the package knows (None: it does)."""
    country, dash, subdiv = code.partition("-")
    supported = holidays.list_supported_countries()
    if country not in supported or (dash and not subdiv):
        return (
            f'"{code}" is not a country the holidays package knows; write the two-letter '
            'code in capitals, with the region after a dash, like "DE-BY"'
        )
    if subdiv and subdiv not in supported[country]:
        known = ", ".join(f"{country}-{s}" for s in supported[country]) or f'only "{country}"'
        return f'"{code}" is not a subdivision of {country}; expected one of {known}'
    return None


class PublicHolidays:
    """The public holidays of one code; each year's set is worked out when first asked."""

    def __init__(self, code: str) -> None:
        self.code = code
        self._country, _, subdiv = code.partition("-")
        self._subdiv = subdiv or None
        self._years: dict[int, frozenset[date]] = {}
        self._lock = threading.Lock()

    def is_holiday(self, day: date) -> bool:
        return day in self.days(day.year)

    def days(self, year: int) -> frozenset[date]:
        found = self._years.get(year)
        if found is None:
            listed = holidays.country_holidays(self._country, subdiv=self._subdiv, years=year)
            found = frozenset(listed.keys())
            with self._lock:
                self._years[year] = found
        return found


@lru_cache(maxsize=64)
def calendar_for(code: str | None) -> HolidayCalendar:
    """The holidays of `code`; none for None (the directory checked the code)."""
    return PublicHolidays(code) if code else NO_HOLIDAYS


def holiday_calendars(directory: Directory) -> HolidayCalendars:
    """Each city's public holidays, and the network's (for cities without their own)."""
    network = calendar_for(directory.holidays)
    return HolidayCalendars(
        network=network,
        cities={
            c.key: calendar_for(c.holidays) if c.holidays else network for c in directory.cities
        },
    )
