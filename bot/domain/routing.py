"""Who is told: the people a request's messages go to, with deputies for those away.

Plain rules over the directory and the absences the use case looked up; no session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from bot.domain.agreement import Agreement
from bot.domain.deputies import Absence, route
from bot.domain.directory import Directory

# (city, experts, the contact who named them), per partner city.
Named = list[tuple[str, list[str], str]]


@dataclass(frozen=True)
class Experts:
    """Who named which experts, per partner city in the request's order, with their notes;
    `everyone`: every expert of the request in the order they were named."""

    named: Named
    notes: list[tuple[str, str]]
    everyone: tuple[str, ...] = ()

    def members(self, requester: str) -> list[str]:
        """The group DM: the requester, every expert, the contacts who named them."""
        members = [requester]
        for _city, experts, _contact in self.named:
            members += experts
        members += [contact for _city, _experts, contact in self.named]
        return list(dict.fromkeys(members))


@dataclass(frozen=True)
class Introduction:
    """What the group DM's introduction shows: the experts and the agreement."""

    experts: Experts
    agreement: Agreement


def deciders(
    directory: Directory, city_key: str, away: Mapping[str, Absence], today: date
) -> tuple[str, ...]:
    """Who decides now: the city's contacts, deputies for those away; () when every contact
    is away without one (the coordinators when the city has no contacts)."""
    contacts = directory.contacts_of(city_key)
    return route(contacts, away, today) if contacts else directory.coordinators


def namers(
    directory: Directory,
    partner_keys: tuple[str, ...],
    topic_key: str,
    away: Mapping[str, Absence],
    today: date,
) -> list[tuple[str, tuple[str, ...]]]:
    """Who is asked for experts, per partner city: its naming contacts (topic people first)
    with deputies for those away; the coordinators when nobody is left."""
    return [
        (
            city,
            route(directory.naming_contacts(city, topic_key), away, today)
            or directory.coordinators,
        )
        for city in partner_keys
    ]
