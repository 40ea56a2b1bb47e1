"""The directory in Slack, for coordinators: the overview modal, the edit modal (one for
every kind of change, told apart by its metadata's "op"), reading what was entered, and the
directory file checker's messages in the person's language."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from bot.domain import directory_edits as e
from bot.domain.budget import NETWORK
from bot.domain.directory import Directory
from bot.domain.money import parse_amount
from bot.slack import ids
from bot.slack.blocks import (
    Block,
    actions,
    button,
    context,
    divider,
    escape,
    input_block,
    modal,
    option,
    section,
)
from bot.slack.messages import mentions
from bot.slack.views.state import (
    input_element,
    selected_value,
    small_metadata,
    text_value,
    users_value,
)
from bot.texts import fmt_cents, t

MAX_BLOCKS = 100

# The edit modal's kinds ("op"), the button that opens each, and whether it is per city.
OPS = {
    ids.A_DIR_ADD_CONTACT: "contact_add",
    ids.A_DIR_REMOVE_CONTACT: "contact_remove",
    ids.A_DIR_TOPIC_CONTACT: "topic_contact",
    ids.A_DIR_ADD_COORDINATOR: "coordinator_add",
    ids.A_DIR_REMOVE_COORDINATOR: "coordinator_remove",
    ids.A_DIR_ADD_TOPIC: "topic_add",
    ids.A_DIR_BUDGET: "budget",
}
CITY_OPS = ("contact_add", "contact_remove", "topic_contact")

# An edit's field -> the block it is entered in.
BLOCKS = {
    e.PERSON: ids.B_DIR_PERSON,
    e.PEOPLE: ids.B_DIR_PEOPLE,
    e.TOPIC: ids.B_DIR_TOPIC,
    e.KEY: ids.B_DIR_KEY,
    e.NAME: ids.B_DIR_NAME,
    e.NAME_EN: ids.B_DIR_NAME_EN,
    e.YEAR: ids.B_DIR_YEAR,
    e.AMOUNT: ids.B_DIR_AMOUNT,
    e.CITY: ids.B_DIR_WHOSE,
}


def _button(lang: str, key: str, action_id: str, value: str, **params: str) -> dict[str, Any]:
    return button(
        t(lang, f"dir.button.{key}"),
        action_id,
        value,
        label=t(lang, f"dir.button.{key}.label", **params),
    )


def directory_button(lang: str) -> dict[str, Any]:
    """The coordinators' Home tab button that opens the directory."""
    return _button(lang, "open", ids.A_DIRECTORY_OPEN, "directory")


def directory_modal(directory: Directory, lang: str) -> dict[str, Any]:
    """Cities with their contacts, topic contacts and own budgets; topics; coordinators;
    the budgets per year: each with the buttons that change it."""
    blocks: list[Block] = [
        section(t(lang, "dir.intro", network=escape(directory.network_name))),
        divider(),
        section(
            f"*{t(lang, 'dir.coordinators')}*\n" + (mentions(directory.coordinators, lang) or "–")
        ),
        actions(
            "dir_coordinators",
            _button(lang, "add_coordinator", ids.A_DIR_ADD_COORDINATOR, "-"),
            _button(lang, "remove_coordinator", ids.A_DIR_REMOVE_COORDINATOR, "-"),
        ),
    ]
    for city in directory.cities:
        lines = [f"*{escape(city.name)}*"]
        lines.append(t(lang, "dir.contacts", people=mentions(city.contacts, lang) or "–"))
        for tc in directory.topic_contacts:
            if tc.city == city.key:
                topic = escape(directory.topic_label(tc.topic, lang))
                lines.append(
                    t(lang, "dir.topic_contacts", topic=topic, people=mentions(tc.users, lang))
                )
        name = escape(city.name)
        blocks += [
            divider(),
            section("\n".join(lines)),
            actions(
                f"dir_city_{city.key}",
                _button(lang, "add_contact", ids.A_DIR_ADD_CONTACT, city.key, city=name),
                _button(lang, "remove_contact", ids.A_DIR_REMOVE_CONTACT, city.key, city=name),
                _button(lang, "topic_contact", ids.A_DIR_TOPIC_CONTACT, city.key, city=name),
            ),
        ]
    topics = [
        f"• {escape(topic.name)} / {escape(topic.name_en or '–')}" for topic in directory.topics
    ]
    blocks += [
        divider(),
        section(f"*{t(lang, 'dir.topics')}*\n" + ("\n".join(topics) or "–")),
        actions("dir_topics", _button(lang, "add_topic", ids.A_DIR_ADD_TOPIC, "-")),
        divider(),
        section(f"*{t(lang, 'dir.budgets')}*\n" + (budget_lines(directory, lang) or "–")),
        actions("dir_budgets", _button(lang, "budget", ids.A_DIR_BUDGET, "-")),
    ]
    return modal(
        ids.VIEW_DIRECTORY,
        t(lang, "dir.title"),
        blocks[:MAX_BLOCKS],
        close=t(lang, "modal.close_only"),
        private_metadata=small_metadata(lang=lang),
    )


def budget_lines(directory: Directory, lang: str) -> str:
    """One line per year: the network's budget, then the cities' own shares."""
    years: dict[int, list[str]] = {}
    for budget in directory.budgets:
        whose = (
            t(lang, "dir.network") if budget.city == NETWORK else directory.city_name(budget.city)
        )
        years.setdefault(budget.year, []).append(
            f"{escape(whose)} {fmt_cents(budget.amount_cents, lang)}"
        )
    return "\n".join(f"• {year}: " + " · ".join(shares) for year, shares in sorted(years.items()))


def edit_modal(
    op: str,
    directory: Directory,
    lang: str,
    *,
    city: str = "",
    root: str = "",
    seen: datetime | None = None,
    initial: dict[str, Any] | None = None,
    warning: str | None = None,
) -> dict[str, Any]:
    """The modal of one change (`op`); `initial`: values entered before (by block id),
    `warning`: why it is shown again (somebody changed the value meanwhile)."""
    given = initial or {}
    city_name = escape(directory.city_name(city))
    blocks: list[Block] = []
    if warning:
        blocks.append(section(f":warning: {warning}"))
    if op in ("contact_add", "contact_remove"):
        now = mentions(directory.contacts_of(city), lang) or "–"
        blocks.append(section(t(lang, f"dir.edit.{op}.intro", city=city_name, people=now)))
        blocks.append(_person(lang, given))
    elif op in ("coordinator_add", "coordinator_remove"):
        now = mentions(directory.coordinators, lang) or "–"
        blocks.append(section(t(lang, f"dir.edit.{op}.intro", people=now)))
        blocks.append(_person(lang, given))
    elif op == "topic_add":
        blocks.append(section(t(lang, "dir.edit.topic_add.intro")))
        blocks.append(_text(ids.B_DIR_NAME, t(lang, "dir.field.name"), given))
        blocks.append(_text(ids.B_DIR_NAME_EN, t(lang, "dir.field.name_en"), given, optional=True))
        blocks.append(
            _text(
                ids.B_DIR_KEY,
                t(lang, "dir.field.key"),
                given,
                optional=True,
                hint=t(lang, "dir.field.key.hint"),
            )
        )
    elif op == "topic_contact":
        blocks.append(section(t(lang, "dir.edit.topic_contact.intro", city=city_name)))
        choices = [option(topic.label(lang), topic.key) for topic in directory.topics]
        topic: dict[str, Any] = {"type": "static_select", "action_id": ids.VALUE}
        topic["options"] = choices
        chosen = [c for c in choices if c["value"] == given.get(ids.B_DIR_TOPIC)]
        if chosen:
            topic["initial_option"] = chosen[0]
        blocks.append(input_block(ids.B_DIR_TOPIC, t(lang, "dir.field.topic"), topic))
        people: dict[str, Any] = {"type": "multi_users_select", "action_id": ids.VALUE}
        if given.get(ids.B_DIR_PEOPLE):
            people["initial_users"] = given[ids.B_DIR_PEOPLE]
        blocks.append(
            input_block(
                ids.B_DIR_PEOPLE,
                t(lang, "dir.field.people"),
                people,
                optional=True,
                hint=t(lang, "dir.field.people.hint"),
            )
        )
    elif op == "budget":
        blocks.append(section(t(lang, "dir.edit.budget.intro")))
        budgets = budget_lines(directory, lang)
        if budgets:
            blocks.append(context(budgets))
        blocks.append(_text(ids.B_DIR_YEAR, t(lang, "dir.field.year"), given))
        choices = [option(t(lang, "dir.network"), "-")]
        choices += [option(c.name, c.key) for c in directory.cities]
        whose: dict[str, Any] = {"type": "static_select", "action_id": ids.VALUE}
        whose["options"] = choices
        chosen = [c for c in choices if c["value"] == given.get(ids.B_DIR_WHOSE, "-")]
        whose["initial_option"] = chosen[0] if chosen else choices[0]
        blocks.append(input_block(ids.B_DIR_WHOSE, t(lang, "dir.field.whose"), whose))
        blocks.append(
            _text(
                ids.B_DIR_AMOUNT,
                t(lang, "dir.field.amount"),
                given,
                hint=t(lang, "dir.field.amount.hint"),
            )
        )
    meta = {"op": op, "city": city, "root": root, "lang": lang}
    if seen is not None:
        meta["seen"] = seen.isoformat()
    return modal(
        ids.VIEW_DIR_EDIT,
        t(lang, f"dir.edit.{op}.title"),
        blocks,
        submit=t(lang, "dir.save"),
        close=t(lang, "modal.close"),
        private_metadata=small_metadata(**meta),
    )


def _person(lang: str, given: dict[str, Any]) -> Block:
    element: dict[str, Any] = {"type": "users_select", "action_id": ids.VALUE}
    if given.get(ids.B_DIR_PERSON):
        element["initial_user"] = given[ids.B_DIR_PERSON]
    return input_block(ids.B_DIR_PERSON, t(lang, "dir.field.person"), element)


def _text(
    block_id: str,
    label: str,
    given: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> Block:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": ids.VALUE}
    element["max_length"] = 300
    if given.get(block_id):
        element["initial_value"] = given[block_id]
    return input_block(block_id, label, element, optional=optional, hint=hint)


def entered(state_values: Any) -> dict[str, Any]:
    """What was entered, by block id (to show it again)."""
    state = state_values if isinstance(state_values, dict) else {}
    found: dict[str, Any] = {}
    for block in (ids.B_DIR_NAME, ids.B_DIR_NAME_EN, ids.B_DIR_KEY, ids.B_DIR_YEAR):
        found[block] = text_value(state, block)
    found[ids.B_DIR_AMOUNT] = text_value(state, ids.B_DIR_AMOUNT)
    found[ids.B_DIR_PERSON] = input_element(state, ids.B_DIR_PERSON).get("selected_user")
    found[ids.B_DIR_PEOPLE] = users_value(state, ids.B_DIR_PEOPLE)
    found[ids.B_DIR_TOPIC] = selected_value(state, ids.B_DIR_TOPIC)
    found[ids.B_DIR_WHOSE] = selected_value(state, ids.B_DIR_WHOSE)
    return {k: v for k, v in found.items() if v}


def read_edit(op: str, city: str, state_values: Any, lang: str) -> e.Edit | dict[str, str]:
    """The edit the modal asks for, or the fields a person must still fill in (by block)."""
    given = entered(state_values)
    person = given.get(ids.B_DIR_PERSON)
    if op in ("contact_add", "contact_remove", "coordinator_add", "coordinator_remove"):
        if not isinstance(person, str):
            return {ids.B_DIR_PERSON: t(lang, "dir.pick_person")}
        if op == "contact_add":
            return e.AddContact(city, person)
        if op == "contact_remove":
            return e.RemoveContact(city, person)
        if op == "coordinator_add":
            return e.AddCoordinator(person)
        return e.RemoveCoordinator(person)
    if op == "topic_add":
        name = given.get(ids.B_DIR_NAME, "")
        key = given.get(ids.B_DIR_KEY) or e.slug(name)
        return e.AddTopic(key, name, given.get(ids.B_DIR_NAME_EN))
    if op == "topic_contact":
        topic = given.get(ids.B_DIR_TOPIC)
        if not topic:
            return {ids.B_DIR_TOPIC: t(lang, "dir.pick_topic")}
        return e.SetTopicContact(city, topic, tuple(given.get(ids.B_DIR_PEOPLE, ())))
    if op == "budget":
        whose = given.get(ids.B_DIR_WHOSE, "-")
        year_text = given.get(ids.B_DIR_YEAR, "")
        year: int | str = (
            int(year_text) if year_text.isascii() and year_text.isdigit() else year_text
        )
        amount_text = given.get(ids.B_DIR_AMOUNT, "")
        amount: Decimal | str
        try:
            amount = parse_amount(amount_text, lang) or amount_text
        except ValueError:
            amount = amount_text  # not a number: the checker says so, as for the file
        return e.SetBudget(year, NETWORK if whose == "-" else whose, amount)
    return {}


# The directory file checker's messages (bot.infra.directory_fields / directory_file) that an
# edit in Slack can meet, and the text of each in the catalogues (English: the same words).
_CHECKER = [
    (re.compile(r'"(?P<user>[^"]+)" is listed twice'), "dir.check.twice"),
    (re.compile(r"a city needs at least one contact"), "dir.check.needs_contact"),
    (re.compile(r'"(?P<value>.*)" is not a valid key: .*'), "dir.check.bad_key"),
    (
        re.compile(r'duplicate topic key "(?P<value>[^"]+)", also in .*'),
        "dir.check.duplicate_topic",
    ),
    (re.compile(r"missing \(required\)|must not be empty"), "dir.check.required"),
    (re.compile(r"longer than (?P<max>\d+) characters"), "dir.check.too_long"),
    (re.compile(r"must be a year like 2027 .*, (?P<low>\d+)–(?P<high>\d+)"), "dir.check.year"),
    (re.compile(r"must be a number of euros without quotes, like 20000"), "dir.check.amount"),
    (re.compile(r"must be between 0 and (?P<max>\d+)"), "dir.check.amount_range"),
    (re.compile(r"at most two decimals \(cents\)"), "dir.check.cents"),
    (re.compile(r'unknown (?:city|topic) key "(?P<value>[^"]+)"'), "dir.check.unknown"),
]


def problem_text(message: str, lang: str) -> str:
    """A checker's message in `lang`; one not known here as the checker wrote it."""
    for pattern, key in _CHECKER:
        found = pattern.fullmatch(message)
        if found:
            params = found.groupdict()
            if "user" in params:
                params["user"] = f"<@{params['user']}>"
            return t(lang, key, **params)
    return t(lang, "dir.check.unlisted", message=message)


def problem_errors(problems: list[tuple[str, str]], op: str, lang: str) -> dict[str, str]:
    """The checker's problems under their blocks (the first per block)."""
    errors: dict[str, str] = {}
    main = {
        "topic_add": ids.B_DIR_NAME,
        "topic_contact": ids.B_DIR_PEOPLE,
        "budget": ids.B_DIR_AMOUNT,
    }.get(op, ids.B_DIR_PERSON)
    for field, message in problems:
        block = BLOCKS.get(field, main)
        if op == "topic_contact" and block == ids.B_DIR_WHOSE:
            block = main  # the city is the button's, not a field of this modal
        errors.setdefault(block, problem_text(message, lang))
    return errors
