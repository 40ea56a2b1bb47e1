"""Changes coordinators make to the directory in Slack, and what a change did.

An edit names what changes; its values are as the person entered them (a year or an amount
that is not a number stays text), so that the directory file's checker judges them exactly
as it judges the file. `Change` is the outcome: who gained and who lost a role, and the
entry before and after, for the audit trail and for telling the people concerned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bot.domain.budget import NETWORK
from bot.domain.directory import Directory
from bot.domain.errors import Refused

# The fields of the edit modals, as the checker's problems are placed under them.
PERSON = "person"
PEOPLE = "people"
CITY = "city"
TOPIC = "topic"
KEY = "key"
NAME = "name"
NAME_EN = "name_en"
YEAR = "year"
AMOUNT = "amount"


@dataclass(frozen=True)
class AddContact:
    city: str
    user: str


@dataclass(frozen=True)
class RemoveContact:
    city: str
    user: str


@dataclass(frozen=True)
class AddCoordinator:
    user: str


@dataclass(frozen=True)
class RemoveCoordinator:
    user: str


@dataclass(frozen=True)
class AddTopic:
    key: str
    name: str
    name_en: str | None


@dataclass(frozen=True)
class SetTopicContact:
    """The people who name a city's experts for a topic; none: the city's contacts do."""

    city: str
    topic: str
    users: tuple[str, ...]


@dataclass(frozen=True)
class SetBudget:
    """A year's budget: the network's (`city` NETWORK) or a city's own share. `year` and
    `amount` (euros) as entered: a number, or the text that is not one."""

    year: int | str
    city: str
    amount: Decimal | str


Edit = (
    AddContact
    | RemoveContact
    | AddCoordinator
    | RemoveCoordinator
    | AddTopic
    | SetTopicContact
    | SetBudget
)

# What kind of entry an edit changes (the audit trail's action is "dir_" + this).
KIND = {
    AddContact: "contact_add",
    RemoveContact: "contact_remove",
    AddCoordinator: "coordinator_add",
    RemoveCoordinator: "coordinator_remove",
    AddTopic: "topic_add",
    SetTopicContact: "topic_contact",
    SetBudget: "budget",
}


def main_field(edit: Edit) -> str:
    """The field a problem of this edit is shown under when the checker names no other."""
    if isinstance(edit, AddTopic):
        return KEY
    if isinstance(edit, SetTopicContact):
        return PEOPLE
    if isinstance(edit, SetBudget):
        return AMOUNT
    return PERSON


def slug(name: str) -> str:
    """A topic key made from its German name: "Mobilität & Verkehr" -> "mobilitaet-verkehr"."""
    text = name.strip().lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    out = "".join(ch if ("a" <= ch <= "z" or "0" <= ch <= "9") else "-" for ch in text)
    return "-".join(part for part in out.split("-") if part)[:64]


class Problems(Refused):
    """The directory file's checker refuses the edit: its messages (English, as `cr-bot
    directory check` prints them), each with the modal field it belongs under."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        field, message = problems[0]
        super().__init__("dir.problem", {"message": message}, field=field)
        self.problems = problems


@dataclass(frozen=True)
class Change:
    """What an edit did: `added` and `removed` people (for contacts, coordinators and topic
    contacts), and the entry before and after as one line each (the audit trail)."""

    edit: Edit
    subject: str
    before: str
    after: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    directory: Directory = field(default_factory=Directory)

    @property
    def kind(self) -> str:
        return KIND[type(self.edit)]


def people_of(directory: Directory, edit: Edit) -> tuple[str, ...]:
    """The people in the entry the edit changes (contacts, coordinators, topic contacts)."""
    if isinstance(edit, AddContact | RemoveContact):
        return directory.contacts_of(edit.city)
    if isinstance(edit, AddCoordinator | RemoveCoordinator):
        return directory.coordinators
    if isinstance(edit, SetTopicContact):
        for tc in directory.topic_contacts:
            if (tc.city, tc.topic) == (edit.city, edit.topic):
                return tc.users
    return ()


def describe(before: Directory, after: Directory, edit: Edit) -> Change:
    """The change from `before` to `after`, in the words of the directory file."""
    if isinstance(edit, SetBudget):
        year = int(edit.year)
        whose = f"city {edit.city}" if edit.city != NETWORK else "network"
        subject = f"budget {year} of the {whose}"
        old_amount, new_amount = _budget(before, year, edit.city), _budget(after, year, edit.city)
        return Change(edit, subject, old_amount, new_amount, directory=after)
    if isinstance(edit, AddTopic):
        topic = after.topic(edit.key)
        shown = f"{topic.name} / {topic.name_en or '-'}" if topic else "-"
        return Change(edit, f"topic {edit.key}", "-", shown, directory=after)
    old, new = people_of(before, edit), people_of(after, edit)
    if isinstance(edit, AddContact | RemoveContact):
        subject = f"contacts of {edit.city}"
    elif isinstance(edit, SetTopicContact):
        subject = f"topic contacts of {edit.city} for {edit.topic}"
    else:
        subject = "coordinators"
    return Change(
        edit,
        subject,
        ", ".join(sorted(old)) or "-",
        ", ".join(sorted(new)) or "-",
        added=tuple(u for u in new if u not in old),
        removed=tuple(u for u in old if u not in new),
        directory=after,
    )


def _budget(directory: Directory, year: int, city: str) -> str:
    for budget in directory.budgets:
        if (budget.year, budget.city) == (year, city):
            return f"{Decimal(budget.amount_cents) / 100:.2f} EUR"
    return "-"
