"""The directory in Slack (issue 22): coordinators see it with `/cr-request verzeichnis` or
the Home tab's button and change it through modals. Every change is checked as the file
is, recorded, in effect at once on every instance, and told to the people it concerns;
nobody else sees or changes anything; the last coordinator stays."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.views import View
from sqlalchemy import event
from sqlmodel import select

from bot.domain import directory_edits as e
from bot.infra.directory_edits import check_edit
from bot.infra.directory_file import check_directory, parse_directory
from bot.slack import ids
from bot.slack.views.directory import OPS, directory_modal, edit_modal, problem_text
from bot.usecases.directory import load_directory
from models import AuditEntry, ExchangeRequest
from tests import payloads as p
from tests.conftest import DIRECTORY, running_bot
from tests.flows import blocks_text, click, dms_to, last_dm, replies, submit_request
from tests.seed import seed

COORD = "U0COORD1"
# Two coordinators, for the races and for removing one of them.
TWO_COORDINATORS = DIRECTORY.replace(
    'coordinators = ["U0COORD1"]', 'coordinators = ["U0COORD1", "U0COORD2"]'
)


def _people(bot: Any) -> None:
    for user in ("U0LEI3", "U0COORD2"):
        bot.slack.set_user(user, email=f"{user.lower()}@leipzig.de")
    bot.slack.set_user("U0ENG1", email="eng@leipzig.de", locale="en-US")


def open_directory(bot: Any, user: str = COORD) -> dict[str, Any]:
    """`/cr-request verzeichnis`: the overview modal Slack opened."""
    status, body = bot.http.command(text="verzeichnis", user_id=user)
    assert status == 200 and not body, body
    return bot.slack.delivered("views.open")[-1].response["view"]


def push_edit(bot: Any, overview: dict[str, Any], action_id: str, value: str = "-", user=COORD):
    """Click a button of the overview: the edit modal Slack pushed on top of it."""
    bot.http.click(
        action_id=action_id, value=value, user_id=user, container_type="view", view=overview
    )
    return bot.slack.delivered("views.push")[-1].response["view"]


def submit_edit(bot: Any, modal: dict[str, Any], values: dict[str, Any], user: str = COORD):
    return bot.http.submit(
        callback_id=ids.VIEW_DIR_EDIT,
        user_id=user,
        values={block: {ids.VALUE: element} for block, element in values.items()},
        view_id=modal["id"],
        private_metadata=modal["private_metadata"],
    )


def person(user: str) -> dict[str, Any]:
    return {ids.B_DIR_PERSON: p.user_value(user)}


def budget(year: str, amount: str, whose: str = "-") -> dict[str, Any]:
    return {
        ids.B_DIR_YEAR: p.text_value(year),
        ids.B_DIR_WHOSE: p.select_value(whose),
        ids.B_DIR_AMOUNT: p.text_value(amount),
    }


def trail(bot: Any) -> list[tuple[str, str, str | None]]:
    with bot.session_factory() as s:
        rows = s.exec(
            select(AuditEntry)
            .where(AuditEntry.action.startswith("dir_"))  # type: ignore[attr-defined]
            .order_by(AuditEntry.id)
        ).all()
    return [(a.actor, a.action, a.comment) for a in rows]


def test_a_coordinator_adds_a_contact_who_decides_the_next_request_of_their_city(bot):
    _people(bot)
    overview = open_directory(bot)
    shown = blocks_text(overview["blocks"])
    assert "*Leipzig*\nAnsprechpartner/innen: <@U0LEI1> und <@U0LEI2>" in shown
    assert "Benennt bei Wohnen: <@U0BRE3>" in shown
    assert "• Wohnen / Housing" in shown
    labels = {
        el["action_id"] + ":" + el["value"]: el["accessibility_label"]
        for block in overview["blocks"]
        if block["type"] == "actions"
        for el in block["elements"]
    }
    assert labels[f"{ids.A_DIR_ADD_CONTACT}:leipzig"] == "Ansprechpartner/in für Leipzig hinzufügen"
    assert len(labels) == 2 + 3 * 3 + 2  # every button of the overview has one

    modal = push_edit(bot, overview, ids.A_DIR_ADD_CONTACT, "leipzig")
    assert modal["title"]["text"] == "Kontakt hinzufügen"
    assert "Bisher: <@U0LEI1> und <@U0LEI2>" in blocks_text(modal["blocks"])
    assert submit_edit(bot, modal, person("U0LEI3")) == (200, "")

    # The new contact hears what they now decide.
    told = last_dm(bot, "U0LEI3")
    assert told.params["text"] == (
        "<@U0COORD1> hat Sie als Ansprechpartner/in für Leipzig im Netzwerk koopstadt "
        "eingetragen. Ab jetzt entscheiden Sie über die C+R-Anfragen aus Leipzig: genehmigen, "
        "ablehnen oder nachfragen. Neue Anfragen kommen hier als Nachricht und stehen auf der "
        "Startseite der App."
    )
    assert "für *Leipzig* im Netzwerk" in blocks_text(told.params["blocks"])
    # The overview under the closed modal is drawn again, with them.
    redrawn = bot.slack.delivered("views.update")[-1]
    assert redrawn.params["view_id"] == overview["id"]
    assert "<@U0LEI1>, <@U0LEI2> und <@U0LEI3>" in blocks_text(redrawn.params["view"]["blocks"])
    assert trail(bot) == [
        (
            COORD,
            "dir_contact_add",
            "contacts of leipzig: U0LEI1, U0LEI2 -> U0LEI1, U0LEI2, U0LEI3",
        )
    ]

    submit_request(bot, "U0REQ1")
    decision = last_dm(bot, "U0LEI3")
    assert decision.params["text"].startswith("Bitte entscheiden: #1 Quartiersschulen")
    assert ids.A_APPROVE in {
        el["action_id"]
        for block in decision.params["blocks"]
        if block["type"] == "actions"
        for el in block["elements"]
    }
    status, _ = click(bot, "U0LEI3", decision, ids.A_APPROVE)
    assert status == 200
    with bot.session_factory() as s:
        assert s.get(ExchangeRequest, 1).status == "approved"


@contextmanager
def two_instances(fake_slack, database_url, tmp_path: Path, clock) -> Iterator[tuple[Any, Any]]:
    path = tmp_path / "two.toml"
    path.write_text(TWO_COORDINATORS, encoding="utf-8")
    with (
        running_bot(fake_slack, database_url, path, clock) as one,
        running_bot(fake_slack, database_url, path, clock) as two,
    ):
        _people(one)
        yield one, two


def test_a_removed_contact_is_refused_at_once_on_every_instance(
    fake_slack, database_url, tmp_path, clock
):
    with two_instances(fake_slack, database_url, tmp_path, clock) as (one, two):
        rid = seed(one, state="submitted")
        old = last_dm(one, "U0LEI2")  # the decision message, with its buttons
        two.services.refresh_directory()  # the second instance knows U0LEI2 as a contact

        modal = push_edit(one, open_directory(one), ids.A_DIR_REMOVE_CONTACT, "leipzig")
        assert submit_edit(one, modal, person("U0LEI2")) == (200, "")

        told = last_dm(one, "U0LEI2")
        assert told.params["text"] == (
            "<@U0COORD1> hat Sie als Ansprechpartner/in für Leipzig ausgetragen. Sie "
            "entscheiden nicht mehr über die C+R-Anfragen aus Leipzig; das tun jetzt <@U0LEI1>. "
            "Ihre älteren Entscheidungsknöpfe gelten nicht mehr."
        )
        # The old button, clicked on the other instance the next moment.
        status, _ = click(two, "U0LEI2", old, ids.A_APPROVE, name="old")
        assert status == 200
        assert replies(two, "old") == [
            ":no_entry: Über diese Anfrage entscheiden die Ansprechpartner/innen von Leipzig "
            "oder die Koordination – Ihr Klick hat nichts geändert."
        ]
        with one.session_factory() as s:
            assert s.get(ExchangeRequest, rid).status == "submitted"
        assert trail(one) == [
            (COORD, "dir_contact_remove", "contacts of leipzig: U0LEI1, U0LEI2 -> U0LEI1")
        ]


def test_nobody_but_a_coordinator_sees_or_changes_the_directory(bot):
    _people(bot)
    before = load_directory(bot.session_factory)
    status, body = bot.http.command(text="directory", user_id="U0LEI1")
    assert status == 200
    assert body["text"].startswith(
        "Das Verzeichnis in Slack sehen und ändern nur Personen der Koordination"
    )
    assert bot.slack.delivered("views.open") == []
    # A contact's Home has no directory button; a click on one made up is refused.
    bot.http.event(p.app_home_opened(user_id="U0LEI1"))
    home = bot.slack.delivered("views.publish")[-1].params["view"]
    assert ids.A_DIRECTORY_OPEN not in str(home)
    bot.http.click(
        action_id=ids.A_DIRECTORY_OPEN, value="directory", user_id="U0LEI1", container_type="view"
    )
    [notice] = bot.slack.delivered("views.open")
    assert "nur Personen der Koordination" in blocks_text(notice.params["view"]["blocks"])
    # A coordinator's overview, its buttons clicked by somebody else.
    overview = open_directory(bot)
    refused = push_edit(bot, overview, ids.A_DIR_ADD_CONTACT, "leipzig", user="U0LEI1")
    assert refused["callback_id"] != ids.VIEW_DIR_EDIT
    assert "nur Personen der Koordination" in blocks_text(refused["blocks"])
    # Every edit submitted by a non-coordinator (a modal of a coordinator's, replayed).
    attempts = [
        (ids.A_DIR_ADD_CONTACT, "leipzig", person("U0LEI1")),
        (ids.A_DIR_REMOVE_COORDINATOR, "-", person(COORD)),
        (ids.A_DIR_ADD_COORDINATOR, "-", person("U0LEI1")),
        (ids.A_DIR_BUDGET, "-", budget("2027", "1000")),
    ]
    for action_id, value, values in attempts:
        modal = push_edit(bot, overview, action_id, value)
        status, body = submit_edit(bot, modal, values, user="U0LEI1")
        assert status == 200 and body["response_action"] == "update"
        assert "nur Personen der Koordination" in blocks_text(body["view"]["blocks"])
    assert load_directory(bot.session_factory) == before
    assert trail(bot) == []
    assert [c.params["channel"] for c in bot.slack.delivered("chat.postMessage")] == []


def _file_problem(replace: str, by: str) -> str:
    [problem] = check_directory(DIRECTORY.replace(replace, by, 1))
    return problem.message


@pytest.mark.parametrize("lang", ["de", "en"])
def test_invalid_input_gets_the_checkers_message_under_its_field(bot, lang):
    _people(bot)
    user = "U0ENG1" if lang == "en" else COORD
    if lang == "en":  # a second coordinator, who reads English
        modal = push_edit(bot, open_directory(bot), ids.A_DIR_ADD_COORDINATOR)
        assert submit_edit(bot, modal, person("U0ENG1")) == (200, "")
    overview = open_directory(bot, user)
    before, recorded = load_directory(bot.session_factory), trail(bot)
    cases = [
        (ids.A_DIR_REMOVE_CONTACT, "bremen", person("U0BRE1"), ids.B_DIR_PERSON, {
            "de": "Eine Stadt braucht mindestens eine/n Ansprechpartner/in.",
            "en": _file_problem('contacts = ["U0BRE1"]', "contacts = []"),
        }),
        (ids.A_DIR_ADD_CONTACT, "leipzig", person("U0LEI1"), ids.B_DIR_PERSON, {
            "de": "<@U0LEI1> ist hier schon eingetragen.",
            "en": "<@U0LEI1> is listed twice",
        }),
        (ids.A_DIR_BUDGET, "-", budget("2027", "-5"), ids.B_DIR_AMOUNT, {
            "de": "Der Betrag muss zwischen 0 und 100000000 Euro liegen.",
            "en": "must be between 0 and 100000000",
        }),
        (ids.A_DIR_BUDGET, "-", budget("1999", "5000"), ids.B_DIR_YEAR, {
            "de": "Bitte ein Jahr wie 2027 angeben, zwischen 2000 und 2100.",
            "en": "must be a year like 2027, 2000–2100",
        }),
        (ids.A_DIR_ADD_TOPIC, "-", {
            ids.B_DIR_NAME: p.text_value("Neues"), ids.B_DIR_KEY: p.text_value("Wohnen!"),
        }, ids.B_DIR_KEY, {
            "de": "„Wohnen!“ ist kein gültiger Schlüssel: "
            "nur Kleinbuchstaben, Ziffern, „-“ und „_“.",
            "en": _file_problem('key = "mobilitaet"', 'key = "Wohnen!"'),
        }),
        (ids.A_DIR_ADD_TOPIC, "-", {ids.B_DIR_NAME: p.text_value("Wohnen")}, ids.B_DIR_KEY, {
            "de": "Ein Thema mit dem Schlüssel „wohnen“ gibt es schon.",
            "en": 'duplicate topic key "wohnen"',
        }),
    ]  # fmt: skip
    for action_id, value, values, block, said in cases:
        modal = push_edit(bot, overview, action_id, value, user=user)
        status, body = submit_edit(bot, modal, values, user=user)
        assert status == 200
        assert body == {"response_action": "errors", "errors": {block: said[lang]}}, action_id
    # The file's checker says the same for the same directory (English: its very words).
    assert _file_problem('contacts = ["U0BRE1"]', "contacts = []") == (
        "a city needs at least one contact"
    )
    assert load_directory(bot.session_factory) == before
    assert trail(bot) == recorded


def test_the_last_coordinator_cannot_be_removed(bot):
    _people(bot)
    overview = open_directory(bot)
    modal = push_edit(bot, overview, ids.A_DIR_REMOVE_COORDINATOR)
    _status, body = submit_edit(bot, modal, person(COORD))
    assert body == {
        "response_action": "errors",
        "errors": {
            ids.B_DIR_PERSON: "<@U0COORD1> ist die letzte Person in der Koordination und kann "
            "nicht entfernt werden. Nehmen Sie zuerst jemanden hinzu."
        },
    }
    assert load_directory(bot.session_factory).coordinators == (COORD,)
    # With a second one added, the first may leave; both hear it.
    modal = push_edit(bot, overview, ids.A_DIR_ADD_COORDINATOR)
    assert submit_edit(bot, modal, person("U0COORD2")) == (200, "")
    assert (
        last_dm(bot, "U0COORD2")
        .params["text"]
        .startswith("<@U0COORD1> hat Sie in die Koordination des Netzwerks koopstadt aufgenommen.")
    )
    modal = push_edit(bot, overview, ids.A_DIR_REMOVE_COORDINATOR, user="U0COORD2")
    assert submit_edit(bot, modal, person(COORD), user="U0COORD2") == (200, "")
    assert last_dm(bot, COORD).params["text"] == (
        "<@U0COORD2> hat Sie aus der Koordination des Netzwerks koopstadt ausgetragen. "
        "Sie entscheiden nicht mehr über Anfragen anderer Städte und pflegen das Verzeichnis "
        "nicht mehr; das tun jetzt <@U0COORD2>."
    )
    assert load_directory(bot.session_factory).coordinators == ("U0COORD2",)
    _status, body = bot.http.command(text="verzeichnis", user_id=COORD)
    assert body["text"].startswith("Das Verzeichnis in Slack sehen und ändern nur")
    assert [a for _u, a, _c in trail(bot)] == ["dir_coordinator_add", "dir_coordinator_remove"]


def test_topics_topic_contacts_and_budgets_are_set_and_recorded(bot):
    _people(bot)
    overview = open_directory(bot)
    modal = push_edit(bot, overview, ids.A_DIR_ADD_TOPIC)
    values = {
        ids.B_DIR_NAME: p.text_value("Grün & Klima"),
        ids.B_DIR_NAME_EN: p.text_value("Green"),
    }
    assert submit_edit(bot, modal, values) == (200, "")
    modal = push_edit(bot, overview, ids.A_DIR_TOPIC_CONTACT, "leipzig")
    values = {
        ids.B_DIR_TOPIC: p.select_value("gruen-klima"),
        ids.B_DIR_PEOPLE: p.users_value(["U0ENG1"]),
    }
    assert submit_edit(bot, modal, values) == (200, "")
    assert last_dm(bot, "U0ENG1").params["text"] == (
        "<@U0COORD1> added you for Leipzig on the topic Green: from now on you name the "
        "experts of Leipzig when a request about Green comes."
    )
    modal = push_edit(bot, overview, ids.A_DIR_BUDGET)
    assert submit_edit(bot, modal, budget("2027", "20.000")) == (200, "")
    modal = push_edit(bot, overview, ids.A_DIR_BUDGET)
    assert submit_edit(bot, modal, budget("2027", "5.000,50", "leipzig")) == (200, "")

    directory = load_directory(bot.session_factory)
    assert directory.topic("gruen-klima").label("en") == "Green"
    assert directory.naming_contacts("leipzig", "gruen-klima") == ("U0ENG1",)
    assert directory.budget_for(2027, "leipzig").amount_cents == 500050
    assert directory.budget_for(2027, "bremen").amount_cents == 2000000
    shown = blocks_text(bot.slack.delivered("views.update")[-1].params["view"]["blocks"])
    assert "• 2027: Netzwerk 20.000,00 € · Leipzig 5.000,50 €" in shown
    assert trail(bot) == [
        (COORD, "dir_topic_add", "topic gruen-klima: - -> Grün & Klima / Green"),
        (COORD, "dir_topic_contact", "topic contacts of leipzig for gruen-klima: - -> U0ENG1"),
        (COORD, "dir_budget", "budget 2027 of the network: - -> 20000.00 EUR"),
        (COORD, "dir_budget", "budget 2027 of the city leipzig: - -> 5000.50 EUR"),
    ]
    # Removing the topic contact again tells them, in English.
    modal = push_edit(bot, overview, ids.A_DIR_TOPIC_CONTACT, "leipzig")
    assert submit_edit(bot, modal, {ids.B_DIR_TOPIC: p.select_value("gruen-klima")}) == (200, "")
    assert last_dm(bot, "U0ENG1").params["text"] == (
        "<@U0COORD1> removed you for Leipzig on the topic Green: you no longer name its "
        "experts; <@U0LEI1> and <@U0LEI2> do now."
    )


HOLD = 0.4  # seconds each edit waits inside its transaction, after reading the directory


def _slow_writes(bot: Any) -> None:
    def hold(_conn, _cursor, statement: str, *_args: Any) -> None:
        if (
            statement.lstrip()
            .upper()
            .startswith(("INSERT INTO DIRECTORY_ROLE", "INSERT INTO BUDGET"))
        ):
            time.sleep(HOLD)

    event.listen(bot.session_factory.engine, "before_cursor_execute", hold)


def _at_once(*steps: tuple[Any, dict[str, Any], dict[str, Any], str]) -> list[tuple[int, Any]]:
    start = threading.Barrier(len(steps))
    answers: list[tuple[int, Any]] = [(0, None)] * len(steps)

    def run(i: int, bot: Any, modal: dict[str, Any], values: dict[str, Any], user: str) -> None:
        start.wait()
        answers[i] = submit_edit(bot, modal, values, user=user)

    threads = [threading.Thread(target=run, args=(i, *s)) for i, s in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


def test_two_coordinators_editing_one_city_at_once_lose_neither_change(
    fake_slack, database_url, tmp_path, clock
):
    with two_instances(fake_slack, database_url, tmp_path, clock) as (one, two):
        first = push_edit(one, open_directory(one), ids.A_DIR_ADD_CONTACT, "leipzig")
        second = push_edit(
            two, open_directory(two, "U0COORD2"), ids.A_DIR_ADD_CONTACT, "leipzig", "U0COORD2"
        )
        for bot in (one, two):
            _slow_writes(bot)

        answers = _at_once(
            (one, first, person("U0LEI3"), COORD), (two, second, person("U0ENG1"), "U0COORD2")
        )

        assert answers == [(200, ""), (200, "")]
        assert load_directory(one.session_factory).contacts_of("leipzig") == (
            "U0ENG1",
            "U0LEI1",
            "U0LEI2",
            "U0LEI3",
        )
        # One after the other: the second saw the first's contact.
        first_entry, second_entry = (c.split(": ")[1].split(" -> ") for _u, _a, c in trail(one))
        assert first_entry[0] == "U0LEI1, U0LEI2"
        assert second_entry[0] == first_entry[1]
        assert second_entry[1] == "U0ENG1, U0LEI1, U0LEI2, U0LEI3"
        assert len(dms_to(one, "U0LEI3")) == 1 and len(dms_to(one, "U0ENG1")) == 1


def test_two_coordinators_setting_one_budget_at_once_get_a_conflict_not_a_lost_change(
    fake_slack, database_url, tmp_path, clock
):
    with two_instances(fake_slack, database_url, tmp_path, clock) as (one, two):
        first = push_edit(one, open_directory(one), ids.A_DIR_BUDGET)
        second = push_edit(two, open_directory(two, "U0COORD2"), ids.A_DIR_BUDGET, "-", "U0COORD2")
        clock.advance(seconds=1)
        for bot in (one, two):
            _slow_writes(bot)

        answers = _at_once(
            (one, first, budget("2027", "5000", "leipzig"), COORD),
            (two, second, budget("2027", "6000", "leipzig"), "U0COORD2"),
        )

        saved = [i for i, answer in enumerate(answers) if answer == (200, "")]
        assert len(saved) == 1, answers
        winner = (5000_00, 6000_00)[saved[0]]
        _status, body = answers[1 - saved[0]]
        assert body["response_action"] == "update"
        shown = blocks_text(body["view"]["blocks"])
        amount = f"{winner // 100:,}".replace(",", ".") + ",00 €"
        assert f"Inzwischen hat jemand anderes das geändert; jetzt gilt: {amount}." in shown
        # Their entry is kept, and saving again (now knowingly) sets it.
        loser_amount = ("5000", "6000")[1 - saved[0]]
        again = body["view"]
        assert loser_amount in str(again["blocks"])
        assert (
            load_directory(one.session_factory).budget_for(2027, "leipzig").amount_cents == winner
        )
        again = {**again, "id": "VAGAIN"}
        user = (COORD, "U0COORD2")[1 - saved[0]]
        assert submit_edit(one, again, budget("2027", loser_amount, "leipzig"), user) == (200, "")
        assert load_directory(one.session_factory).budget_for(2027, "leipzig").amount_cents == (
            int(loser_amount) * 100
        )


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_directory_views_are_valid_block_kit(lang):
    directory = parse_directory(DIRECTORY + "[[budget]]\nyear = 2027\namount_eur = 20000\n")
    built = [directory_modal(directory, lang)]
    for op in OPS.values():
        built.append(
            edit_modal(op, directory, lang, city="leipzig", root="V1", seen=datetime.now(UTC))
        )
        built.append(
            edit_modal(
                op,
                directory,
                lang,
                city="leipzig",
                initial={
                    ids.B_DIR_PERSON: "U0LEI1",
                    ids.B_DIR_PEOPLE: ["U0LEI1"],
                    ids.B_DIR_TOPIC: "wohnen",
                    ids.B_DIR_WHOSE: "leipzig",
                    ids.B_DIR_AMOUNT: "5.000",
                    ids.B_DIR_YEAR: "2027",
                    ids.B_DIR_NAME: "Neu",
                },
                warning="x",
            )
        )
    for view in built:
        assert View(**view).to_dict() == view
        assert len(view["blocks"]) <= 100
        for block in view["blocks"]:
            for element in block.get("elements", []):
                if element.get("type") == "button":
                    assert 0 < len(element["accessibility_label"]) <= 75


@pytest.mark.parametrize(
    ("edit", "field", "de"),
    [
        (e.AddTopic("neu", "", None), e.NAME, "Bitte ausfüllen."),
        (e.AddTopic("neu", "N" * 201, None), e.NAME, "Höchstens 200 Zeichen."),
        (e.SetBudget(2027, "", "zwanzig"), e.AMOUNT,
         "Bitte einen Betrag in Euro angeben, z. B. 20.000."),
        (e.SetBudget("20x7", "", Decimal(5)), e.YEAR,
         "Bitte ein Jahr wie 2027 angeben, zwischen 2000 und 2100."),
        (e.SetBudget(2027, "hamburg", Decimal(5)), e.CITY,
         "„hamburg“ steht nicht im Verzeichnis."),
        (e.SetTopicContact("leipzig", "kultur", ("U0LEI1",)), e.TOPIC,
         "„kultur“ steht nicht im Verzeichnis."),
        (e.AddContact("leipzig", "U0LEI1"), e.PERSON, "<@U0LEI1> ist hier schon eingetragen."),
    ],
)  # fmt: skip
def test_every_checker_message_an_edit_can_meet_has_its_german_text(edit, field, de):
    """The checker's own words, read from its run on the edited directory: a change of its
    wording would fall back to the English message, and this test says which."""
    directory = parse_directory(DIRECTORY)
    changed, problems = check_edit(directory, edit)
    assert changed is None
    [(where, problem)] = problems
    assert where == field
    assert problem_text(problem.message, "de") == de
