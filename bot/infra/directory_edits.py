"""An edit made in Slack, checked exactly as `cr-bot directory check` checks the file.

The directory as it is is written in the file's form (the tables TOML would give), the edit
is made to that, and the file's checker reads it back: the changed `Directory`, or the
checker's problems, each placed under the modal's field it is about. Problems the directory
already had before the edit are not the edit's (and not shown for it).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.domain import directory_edits as e
from bot.domain.budget import NETWORK
from bot.domain.directory import Directory
from bot.infra.directory_fields import Problem
from bot.infra.directory_file import check_directory_data

# The file's field a problem names -> the modal's field it is shown under.
_FIELDS = {
    "contacts": e.PERSON,
    "coordinators": e.PERSON,
    "users": e.PEOPLE,
    "key": e.KEY,
    "name": e.NAME,
    "name_en": e.NAME_EN,
    "year": e.YEAR,
    "amount_eur": e.AMOUNT,
    "city": e.CITY,
    "topic": e.TOPIC,
}


def file_data(directory: Directory) -> dict[str, Any]:
    """The directory in the file's form: what `tomllib` reads from an equivalent file."""
    network: dict[str, Any] = {"name": directory.network_name}
    network["coordinators"] = list(directory.coordinators)
    if directory.holidays:
        network["holidays"] = directory.holidays
    cities = []
    for city in directory.cities:
        table: dict[str, Any] = {"key": city.key, "name": city.name}
        if city.email_domains:
            table["email_domains"] = list(city.email_domains)
        table["contacts"] = list(city.contacts)
        if city.holidays:
            table["holidays"] = city.holidays
        cities.append(table)
    topics = []
    for topic in directory.topics:
        entry: dict[str, Any] = {"key": topic.key, "name": topic.name}
        if topic.name_en:
            entry["name_en"] = topic.name_en
        topics.append(entry)
    budgets = []
    for budget in directory.budgets:
        row: dict[str, Any] = {"year": budget.year, "amount_eur": _euros(budget.amount_cents)}
        if budget.city != NETWORK:
            row["city"] = budget.city
        budgets.append(row)
    return {
        "network": network,
        "city": cities,
        "topic": topics,
        "topic_contact": [
            {"city": tc.city, "topic": tc.topic, "users": list(tc.users)}
            for tc in directory.topic_contacts
        ],
        "budget": budgets,
    }


def check_edit(
    directory: Directory, edit: e.Edit
) -> tuple[Directory | None, list[tuple[str, Problem]]]:
    """The directory with `edit` made, or None and the problems the edit causes, each with
    the modal's field it belongs under."""
    _, known = check_directory_data(file_data(directory))
    data = file_data(directory)
    apply_edit(data, edit)
    changed, problems = check_directory_data(data)
    new = [p for p in problems if p not in known]
    if changed is not None:
        return changed, []
    if not new:  # the directory had these problems before; the edit adds none
        new = problems
    return None, [(_FIELDS.get(p.field, e.main_field(edit)), p) for p in new]


def apply_edit(data: dict[str, Any], edit: e.Edit) -> None:
    """Make `edit` to the directory `data` (the file's form), in place."""
    if isinstance(edit, e.AddContact | e.RemoveContact):
        for city in data["city"]:
            if city["key"] == edit.city:
                _add_or_remove(city, "contacts", edit.user, isinstance(edit, e.AddContact))
    elif isinstance(edit, e.AddCoordinator | e.RemoveCoordinator):
        _add_or_remove(
            data["network"], "coordinators", edit.user, isinstance(edit, e.AddCoordinator)
        )
    elif isinstance(edit, e.AddTopic):
        topic: dict[str, Any] = {"key": edit.key, "name": edit.name}
        if edit.name_en is not None:
            topic["name_en"] = edit.name_en
        data["topic"].append(topic)
    elif isinstance(edit, e.SetTopicContact):
        entries = data["topic_contact"]
        entries[:] = [tc for tc in entries if (tc["city"], tc["topic"]) != (edit.city, edit.topic)]
        if edit.users:
            entries.append({"city": edit.city, "topic": edit.topic, "users": list(edit.users)})
    elif isinstance(edit, e.SetBudget):
        budgets = data["budget"]
        year = edit.year
        budgets[:] = [
            b for b in budgets if (b["year"], b.get("city", NETWORK)) != (year, edit.city)
        ]
        row: dict[str, Any] = {"year": year, "amount_eur": _number(edit.amount)}
        if edit.city != NETWORK:
            row["city"] = edit.city
        budgets.append(row)


def _add_or_remove(table: dict[str, Any], field: str, user: str, add: bool) -> None:
    users = table.setdefault(field, [])
    if add:
        users.append(user)  # already there: the checker says it is listed twice
    elif user in users:
        users.remove(user)


def _euros(cents: int) -> int | float:
    return cents // 100 if cents % 100 == 0 else cents / 100


def _number(amount: Decimal | str) -> int | float | str:
    """An amount as TOML would give it: an integer, a float, or (not a number) the text."""
    if isinstance(amount, str):
        return amount
    return int(amount) if amount == amount.to_integral_value() else float(amount)
