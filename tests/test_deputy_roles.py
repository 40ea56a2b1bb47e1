"""Deputies act in the roles of the person away, and are people (issue 20, item 2).

A coordinator's deputy gets no coordinator rights: they may not name experts for a city
the coordinator could name for. Bots (ours, or any other), deactivated and unknown users
and the person away themselves are refused as deputies, in the modal under the field and
in the command's answer, in the person's language."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.slack import ids
from bot.slack.views import small_metadata
from models import AuditEntry, Deputy, Expert
from tests import payloads as p
from tests.flows import blocks_text, buttons, dms_to
from tests.seed import seed


def _command(bot, user: str, text: str) -> str:
    status, body = bot.http.command(user_id=user, text=text)
    assert status == 200
    return body["text"] if isinstance(body, dict) else body


def _name(bot, user: str, request_id: int, city: str, lang: str = "de"):
    return bot.http.submit(
        callback_id=ids.VIEW_NAME_EXPERTS,
        user_id=user,
        values={ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP1"])}},
        view_id=f"VNAME{user}",
        private_metadata=small_metadata(id=request_id, city=city, lang=lang),
    )


def test_a_coordinators_deputy_gets_no_coordinator_rights(bot):
    said = _command(bot, "U0COORD1", "vertretung <@U0NUE1> bis 31.12.")
    assert "<@U0NUE1> vertritt <@U0COORD1>" in said
    rid = seed(bot, state="approved", requester="U0REQ2", own="bremen", partners=("leipzig",))

    status, body = _name(bot, "U0NUE1", rid, "leipzig")

    assert status == 200 and body["response_action"] == "update"
    assert "Die Expert/innen für Leipzig benennen deren Ansprechpartner/innen" in blocks_text(
        body["view"]["blocks"]
    )
    with bot.session_factory() as s:
        assert s.exec(select(Expert)).all() == []
        assert [a.action for a in s.exec(select(AuditEntry)).all()] == [
            "deputy",
            "submit",
            "approve",
        ]
    # The coordinator themselves still may; a contact's deputy still names for the city.
    _command(bot, "U0LEI1", "vertretung <@U0BRE1> bis 31.12.")
    status, body = _name(bot, "U0BRE1", rid, "leipzig")
    assert status == 200 and not body
    with bot.session_factory() as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "match")).one()
    assert (entry.actor, entry.on_behalf_of) == ("U0BRE1", "U0LEI1")


ACCOUNTS = {
    "bot": (
        "U0CRBOT",
        "Ein Bot kann niemanden vertreten. Bitte wählen Sie eine Person.",
        "A bot cannot stand in for anyone. Please choose a person.",
    ),
    "other-bot": (
        "U0OTHERBOT",
        "Ein Bot kann niemanden vertreten. Bitte wählen Sie eine Person.",
        "A bot cannot stand in for anyone. Please choose a person.",
    ),
    "slackbot": (
        "USLACKBOT",
        "Ein Bot kann niemanden vertreten. Bitte wählen Sie eine Person.",
        "A bot cannot stand in for anyone. Please choose a person.",
    ),
    "deactivated": (
        "U0GONE1",
        "<@U0GONE1> ist in Slack deaktiviert und kann niemanden "
        "vertreten. Bitte wählen Sie eine andere Person.",
        "<@U0GONE1> is deactivated in Slack and cannot stand in for anyone. "
        "Please choose someone else.",
    ),
    "unknown": (
        "U0NOBODY",
        "Diese Person gibt es in unserem Slack nicht. Bitte wählen Sie eine andere.",
        "This person is not in our Slack. Please choose someone else.",
    ),
    "self": ("U0LEI1", "Sie können sich nicht selbst vertreten.", "You cannot be your own deputy."),
}


def _accounts(bot) -> None:
    bot.slack.set_user("U0OTHERBOT", is_bot=True)
    bot.slack.set_user("USLACKBOT")  # users.info does not call Slackbot a bot
    bot.slack.set_user("U0GONE1", deleted=True)


@pytest.mark.parametrize("who", list(ACCOUNTS))
@pytest.mark.parametrize("lang", ["de", "en"])
def test_only_people_of_our_slack_can_be_deputies_in_the_modal(bot, who, lang):
    _accounts(bot)
    deputy, german, english = ACCOUNTS[who]
    values = {
        ids.B_DEPUTY_PERSON: {ids.VALUE: {"type": "users_select", "selected_user": deputy}},
        ids.B_DEPUTY_UNTIL: {ids.VALUE: {"type": "datepicker", "selected_date": "2026-12-18"}},
    }
    status, body = bot.http.submit(
        callback_id=ids.VIEW_DEPUTY,
        user_id="U0LEI1",
        values=values,
        private_metadata=small_metadata(lang=lang),
    )
    assert status == 200
    said = german if lang == "de" else english
    assert body == {"response_action": "errors", "errors": {ids.B_DEPUTY_PERSON: said}}
    with bot.session_factory() as s:
        assert s.exec(select(Deputy)).all() == []
        assert s.exec(select(AuditEntry)).all() == []


@pytest.mark.parametrize("who", list(ACCOUNTS))
def test_only_people_of_our_slack_can_be_deputies_by_command(bot, who):
    _accounts(bot)
    deputy, german, _english = ACCOUNTS[who]

    said = _command(bot, "U0LEI1", f"vertretung <@{deputy}> bis 31.12.")

    assert said == german
    with bot.session_factory() as s:
        assert s.exec(select(Deputy)).all() == []
    # Nobody was told of a deputy arrangement; the next request goes to the contact.
    assert dms_to(bot, deputy) == []
    seed(bot, state="submitted")
    assert ids.A_APPROVE in buttons(dms_to(bot, "U0LEI1")[-1].params["blocks"])
