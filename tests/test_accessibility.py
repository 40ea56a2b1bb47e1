"""Accessible to everyone: a screen reader reads a button alone, so every button names its
action and its request, in the person's language (the flows in test_snapshots.py check that
no button anywhere lacks a label)."""

from __future__ import annotations

from typing import Any

from bot.slack import ids
from tests import payloads as p
from tests.flows import click, last_dm, submit_request


def labels(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """action_id -> accessibility_label of every button in the blocks."""
    return {
        el["action_id"]: el.get("accessibility_label", "")
        for block in blocks
        if block.get("type") == "actions"
        for el in block["elements"]
        if el.get("type") == "button"
    }


def home_of(bot: Any, user: str) -> list[dict[str, Any]]:
    bot.http.event(p.app_home_opened(user_id=user))
    published = [c for c in bot.slack.delivered("views.publish") if c.params["user_id"] == user]
    return published[-1].params["view"]["blocks"]


def test_decision_buttons_name_the_action_and_the_request_in_german_and_english(bot):
    bot.services.remember_language("U0LEI2", "en-US")
    submit_request(bot, "U0REQ1")
    assert labels(last_dm(bot, "U0LEI1").params["blocks"]) == {
        ids.A_APPROVE: "Anfrage #1 genehmigen",
        ids.A_DECLINE: "Anfrage #1 ablehnen",
        ids.A_ASK: "Rückfrage zu Anfrage #1 stellen",
    }
    assert labels(last_dm(bot, "U0LEI2").params["blocks"]) == {
        ids.A_APPROVE: "Approve request #1",
        ids.A_DECLINE: "Decline request #1",
        ids.A_ASK: "Ask a question about request #1",
    }
    # The requester's own request: withdrawing it names it too.
    assert labels(last_dm(bot, "U0REQ1").params["blocks"]) == {
        ids.A_CANCEL: "Anfrage #1 zurückziehen"
    }


def test_on_home_several_requests_stand_one_under_the_other_each_button_names_its_own(bot):
    bot.services.remember_language("U0LEI2", "en-US")
    submit_request(bot, "U0REQ1", view_id="V1")
    submit_request(bot, "U0REQ1", view_id="V2", title=p.text_value("Zweite Anfrage"))
    found = [
        el.get("accessibility_label")
        for block in home_of(bot, "U0LEI1")
        if block.get("type") == "actions"
        for el in block["elements"]
    ]
    assert "Anfrage #1 genehmigen" in found and "Anfrage #2 genehmigen" in found
    assert "Neue C+R-Anfrage stellen" in found
    english = [
        el.get("accessibility_label")
        for block in home_of(bot, "U0LEI2")
        if block.get("type") == "actions"
        for el in block["elements"]
    ]
    assert "Approve request #2" in english and "Decline request #1" in english


def test_naming_buttons_name_the_city_and_the_request(bot):
    bot.services.remember_language("U0BRE3", "en-US")
    submit_request(bot, "U0REQ1")
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    assert labels(last_dm(bot, "U0BRE3").params["blocks"]) == {
        ids.A_NAME_EXPERTS: "Name experts from Bremen for request #1"
    }
    namer_home = home_of(bot, "U0BRE1")
    assert "Expert/innen aus Bremen für Anfrage #1 benennen" in labels(namer_home).values()
