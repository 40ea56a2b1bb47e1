"""Deputies: a contact away until a date, and who stands in for them meanwhile.

Plain rules, no session: what is active on a day, how decisions and namings are routed,
and how `/cr-request vertretung @person bis 31.12.` is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,31})(?:\|[^>]*)?>")
_DATE_DE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})?")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
END_WORDS = {"ende", "end", "beenden", "stop", "aus", "off"}
FILLER_WORDS = {"bis", "until", "till", "to", "zum", "am"}


@dataclass(frozen=True)
class Absence:
    """`user` is away through `until` (inclusive); `deputy` stands in (None: nobody)."""

    user: str
    deputy: str | None
    until: date
    id: int = 0

    def active_on(self, today: date) -> bool:
        return today <= self.until


def route(users: Iterable[str], away: Mapping[str, Absence], today: date) -> tuple[str, ...]:
    """Who gets what would go to `users`: the deputy instead of an absent person, nobody
    for one away without a deputy, everybody else as they are."""
    routed: list[str] = []
    for user in users:
        absence = away.get(user)
        if absence is None or not absence.active_on(today):
            routed.append(user)
        elif absence.deputy:
            routed.append(absence.deputy)
    return tuple(dict.fromkeys(routed))


@dataclass(frozen=True)
class DeputyCommand:
    """What `/cr-request vertretung …` asks: set (people, until), end, or show."""

    mentions: tuple[str, ...] = ()
    until: date | None = None
    end: bool = False
    unreadable: bool = False  # words that are neither a person, a date nor a filler word


def parse_until(text: str, today: date) -> date | None:
    """31.12. (the next 31 December from today on), 31.12.2027, 31.12.27 or 2027-12-31."""
    try:
        if match := _DATE_ISO.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DATE_DE.fullmatch(text):
            day, month, year_text = int(match[1]), int(match[2]), match[3]
            if year_text:
                year = int(year_text) + (2000 if len(year_text) == 2 else 0)
                return date(year, month, day)
            until = date(today.year, month, day)
            return until if until >= today else date(today.year + 1, month, day)
    except ValueError:
        return None
    return None


def parse_deputy_command(words: list[str], today: date) -> DeputyCommand:
    mentions: list[str] = []
    until: date | None = None
    end = False
    unreadable = False
    for word in words:
        found = _MENTION.fullmatch(word)
        if found:
            mentions.append(found[1])
        elif word.lower() in END_WORDS:
            end = True
        elif word.lower() in FILLER_WORDS:
            continue
        elif (day := parse_until(word, today)) is not None:
            until = day
        else:
            unreadable = True
    return DeputyCommand(tuple(mentions), until, end, unreadable)
