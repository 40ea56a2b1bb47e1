"""The exchange as a calendar file (.ics), for requester and experts."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.domain.directory import Directory
from bot.domain.request import Summary


def exchange_ics(
    s: Summary, directory: Directory, *, tz: ZoneInfo, title: str, now: datetime, network: str
) -> bytes:
    """An all-day event from the first to the last day of the exchange, in `tz`, called
    `title` (worded in the reader's language by the caller: "C+R-Austausch: …")."""
    cal = Calendar()
    cal.add("prodid", f"-//{network or 'C+R'}//cr-bot//DE")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-timezone", str(tz.key))
    event = Event()
    event.add("uid", f"cr-request-{s.id}@cr-bot")
    event.add("dtstamp", now)
    event.add("dtstart", s.date_from)
    event.add("dtend", s.date_to + timedelta(days=1))  # DTEND of all-day events is exclusive
    partners = ", ".join(directory.city_name(k) for k in s.partner_keys)
    event.add("summary", title)
    place = directory.city_name(s.own_city_key) if s.direction == "invite" else partners
    if s.direction == "online":
        place = "Online"
    event.add("location", place)
    event.add(
        "description",
        f"#{s.id} · {directory.city_name(s.own_city_key)} → {partners}\n\n{s.question}",
    )
    cal.add_component(event)
    return cal.to_ical()
