"""What differs between two directories, entry by entry, in lines an operator reads.

A directory says a set of things: the network's name and holidays, each coordinator, each
city (name, e-mail domains, holidays), each city contact, each topic (both names), each
topic contact and each budget. Two directories differ where one says something the other
does not, or says it otherwise; the order of entries and of people does not matter.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.budget import NETWORK
from bot.domain.directory import Directory

# The kinds of entry, in the order they are listed.
NETWORK_NAME = "network name"
NETWORK_HOLIDAYS = "network holidays"
COORDINATOR = "coordinator"
CITY = "city"
CONTACT = "contact"
TOPIC = "topic"
TOPIC_CONTACT = "topic contact"
BUDGET = "budget"
KINDS = (NETWORK_NAME, NETWORK_HOLIDAYS, COORDINATOR, CITY, CONTACT, TOPIC, TOPIC_CONTACT, BUDGET)

# An entry: its kind and what names it, e.g. (CONTACT, ("leipzig", "U0LEI1")),
# (BUDGET, ("2027", "")) for the network's budget of 2027.
EntryKey = tuple[str, tuple[str, ...]]


@dataclass(frozen=True)
class Difference:
    """One entry as it is (`before`) and as it would be (`after`); None: absent."""

    kind: str
    key: tuple[str, ...]
    before: str | None
    after: str | None

    @property
    def label(self) -> str:
        """The entry, e.g. "contact of leipzig @U0LEI1", "budget 2027 of the network"."""
        return label(self.kind, self.key)

    @property
    def action(self) -> str:
        """What happens to it: "removed", "added (…)", or "… → …"."""
        if self.after is None:
            return "removed"
        if self.before is None:
            return f"added ({self.after})" if self.after else "added"
        return f"{self.before} → {self.after}"

    def describe(self, note: str | None = None) -> str:
        """One line, e.g. "contact of leipzig @U0LEI1 (added in Slack) removed";
        `note` (in brackets after the entry) says where the entry as it is came from."""
        entry = f"{self.label} ({note})" if note else self.label
        if self.before is None or self.after is None:
            return f"{entry} {self.action}"
        return f"{entry}: {self.action}"

    def __str__(self) -> str:
        return self.describe()


def entries(directory: Directory) -> dict[EntryKey, str]:
    """Everything `directory` says, each entry with its value as a line shows it
    ("" where the entry is all there is, as for a person in a role)."""
    found: dict[EntryKey, str] = {}
    if directory.network_name:
        found[NETWORK_NAME, ()] = _quoted(directory.network_name)
    if directory.holidays:
        found[NETWORK_HOLIDAYS, ()] = directory.holidays
    for user in directory.coordinators:
        found[COORDINATOR, (user,)] = ""
    for city in directory.cities:
        parts = [f"name {_quoted(city.name)}"]
        parts.append("e-mail domains " + (", ".join(city.email_domains) or "none"))
        parts.append(f"holidays {city.holidays or 'the network’s'}")
        found[CITY, (city.key,)] = "; ".join(parts)
    for city in directory.cities:
        for user in city.contacts:
            found[CONTACT, (city.key, user)] = ""
    for topic in directory.topics:
        value = f"name {_quoted(topic.name)}"
        value += f"; English {_quoted(topic.name_en)}" if topic.name_en else "; no English name"
        found[TOPIC, (topic.key,)] = value
    for tc in directory.topic_contacts:
        for user in tc.users:
            found[TOPIC_CONTACT, (tc.city, tc.topic, user)] = ""
    for budget in directory.budgets:
        found[BUDGET, (str(budget.year), budget.city)] = _euros(budget.amount_cents)
    return found


def differences(before: Directory, after: Directory) -> list[Difference]:
    """What changes from `before` to `after`, by kind, then as `after` lists it."""
    old, new = entries(before), entries(after)
    keys = list(new) + [key for key in old if key not in new]
    order = {kind: number for number, kind in enumerate(KINDS)}
    found = [
        Difference(kind, key, old.get((kind, key)), new.get((kind, key)))
        for kind, key in keys
        if old.get((kind, key)) != new.get((kind, key))
    ]
    return sorted(found, key=lambda d: order[d.kind])  # stable: keeps the order within a kind


def label(kind: str, key: tuple[str, ...]) -> str:
    if kind == COORDINATOR:
        return f"coordinator @{key[0]}"
    if kind == CONTACT:
        return f"contact of {key[0]} @{key[1]}"
    if kind == TOPIC_CONTACT:
        return f"topic contact of {key[0]} for {key[1]} @{key[2]}"
    if kind == BUDGET:
        year, city = key
        return f"budget {year} of " + ("the network" if city == NETWORK else city)
    if kind in (CITY, TOPIC):
        return f"{kind} {key[0]}"
    return kind


def _quoted(text: str) -> str:
    return f"“{text}”"


def _euros(cents: int) -> str:
    whole, rest = divmod(cents, 100)
    return f"{whole} EUR" if not rest else f"{whole}.{rest:02d} EUR"
