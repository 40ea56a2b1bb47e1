"""Every view and message the bot builds is valid Block Kit, even with the longest input.

slack_sdk's models check types, required fields and length limits; a round trip
through them that changes nothing means Slack gets what we meant."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.domain.participation import EXPERT, Part
from bot.domain.request import QUESTION_MAX, TITLE_MAX, Summary
from bot.infra.directory_file import parse_directory
from bot.slack import home, messages, views
from bot.slack.digest import digest_messages
from bot.usecases.digest import Digest
from bot.usecases.home import SHOWN, HomeData
from tests.conftest import DIRECTORY

TZ = ZoneInfo("Europe/Berlin")
DIR = parse_directory(DIRECTORY)
LONG = Summary(
    id=987654,
    version=42,
    status="submitted",
    requester_id="U0REQ1",
    title="Ü" * TITLE_MAX,
    question="<&>" * (QUESTION_MAX // 3),
    topic_key="wohnen",
    format="public_event",
    direction="invite",
    own_city_key="leipzig",
    partner_keys=("bremen", "nuernberg"),
    date_from=date(2026, 12, 7),
    date_to=date(2027, 1, 9),
    travellers=20,
    cost_eur=Decimal("99999.99"),
    locale="de",
)
NOW = datetime(2026, 11, 26, 9, tzinfo=UTC)


def _views(lang: str) -> list[dict]:
    return [
        views.request_modal(DIR, lang),
        views.request_modal(DIR, lang, prefill=LONG.as_raw(), edit_id=LONG.id, version=42),
        views.decline_modal(LONG.id, 42, lang),
        views.ask_modal(LONG.id, 42, lang),
        views.answer_modal(LONG.id, 42, lang),
        views.name_experts_modal(LONG.id, "nuernberg", "Nürnberg", lang),
        views.notice_modal("x" * 2900, lang),
        views.loading_modal(lang),
        views.reflection_modal(LONG.id, lang),
        # The same modals once the check found the request: its context on top.
        views.decline_modal(LONG.id, 42, lang, request=LONG, directory=DIR),
        views.ask_modal(LONG.id, 42, lang, request=LONG, directory=DIR),
        views.answer_modal(
            LONG.id, 42, lang, request=LONG, directory=DIR, question="<&>" * (QUESTION_MAX // 3)
        ),
        views.name_experts_modal(
            LONG.id, "nuernberg", "Nürnberg", lang, request=LONG, directory=DIR
        ),
        views.reflection_modal(LONG.id, lang, request=LONG, directory=DIR),
        home.home_view(
            HomeData(
                mine=[LONG] * SHOWN,
                mine_total=500,
                to_decide=[LONG] * SHOWN,
                to_decide_total=90,
                to_name=[(LONG, "bremen")] * SHOWN,
                upcoming=[LONG] * SHOWN,
                upcoming_total=300,
            ),
            DIR,
            lang,
        ),
        # An expert's Home: exchanges at every step, completed ones with two buttons, and
        # the requester's naming status line.
        home.home_view(
            HomeData(
                mine=[LONG.model_copy(update={"status": "completed"})] * SHOWN,
                mine_total=500,
                to_decide=[],
                to_decide_total=0,
                to_name=[],
                upcoming=[LONG] * SHOWN,
                upcoming_total=300,
                parts=[
                    Part(LONG.model_copy(update={"status": status}), EXPERT, "bremen", "U0BRE3")
                    for status in ("approved", "matched", "completed", "cancelled") * 2
                ],
                parts_total=40,
                named={LONG.id: (("bremen", ("U0EXP1",) * 10), ("nuernberg", ()))},
                today=date(2027, 2, 1),
            ),
            DIR,
            lang,
        ),
    ]


def _messages(lang: str) -> list[dict]:
    long_text = "ß" * 3000
    named = [
        ("bremen", [f"U0EXP{i}" for i in range(10)], "U0BRE3"),
        ("nuernberg", [f"U0EXN{i}" for i in range(10)], "U0NUE1"),
    ]
    return [
        messages.request_filed(LONG, DIR, lang),
        messages.request_filed(LONG, DIR, lang, update=True),
        messages.request_filed(
            LONG.model_copy(update={"status": "cancelled"}),
            DIR,
            lang,
            update=True,
            outcome=messages.outcome_line("cancel", "U0REQ1", NOW, lang, TZ),
        ),
        messages.decision_request(LONG, DIR, lang),
        messages.decision_request(LONG, DIR, lang, answer=(long_text, long_text)),
        messages.closed_message(
            LONG, DIR, lang, messages.outcome_line("decline", "U0LEI1", NOW, lang, TZ, long_text)
        ),
        messages.to_requester(LONG, DIR, lang, "dm.approved", actor="<@U0LEI1>"),
        messages.declined_for_requester(LONG, DIR, lang, "U0LEI1", long_text),
        messages.question_for_requester(LONG, DIR, lang, "U0LEI1", long_text),
        messages.question_answered(LONG, DIR, lang, "x", (long_text, long_text)),
        messages.matched_for_requester(LONG, DIR, lang, named),
        messages.naming_request(LONG, DIR, lang, "bremen"),
        messages.approved_for_coordinators(LONG, DIR, lang, "U0LEI1"),
        messages.introduction(
            LONG, DIR, lang, named, [("bremen", long_text), ("nuernberg", long_text)]
        ),
        messages.help_message(lang, unknown="y" * 500),
        messages.request_list([LONG] * 20, DIR, lang, total=100),
        messages.delivery_failed(LONG.id, "chat.postMessage", "channel_not_found"),
        messages.reminder(LONG, DIR, lang, 2, 5),
        messages.escalation(LONG, DIR, lang, 5),
        messages.reflection_prompt(LONG, lang),
        messages.expert_named(LONG, DIR, lang, actor="U0BRE3", city_key="bremen", matched=True),
        messages.expert_named(LONG, DIR, lang, actor="U0BRE3", city_key="nuernberg", matched=False),
        *digest_messages(
            Digest(
                today=date(2026, 11, 30),
                weeks=[(date(2026, 11, 30), [LONG] * 70), (date(2026, 12, 7), [])],
                pending=3,
            ),
            DIR,
            lang,
        ),
    ]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_views_round_trip_through_slack_sdk(lang):
    for view in _views(lang):
        assert View(**view).to_dict() == view
        assert len(view["blocks"]) <= 100
        assert len(view.get("private_metadata", "")) <= 3000


@pytest.mark.parametrize("lang", ["de", "en"])
def test_messages_round_trip_through_slack_sdk(lang):
    for message in _messages(lang):
        blocks = message["blocks"]
        assert [Block.parse(b).to_dict() for b in blocks] == blocks
        assert len(blocks) <= 50
        assert 0 < len(message["text"]) <= 4000
        for block in blocks:  # section texts: Slack's 3000-character limit
            assert len(block.get("text", {}).get("text", "")) <= 3000


def test_round_trip_catches_an_invalid_view():
    bad = views.decline_modal(1, 1, "de")
    bad["title"]["text"] = "x" * 25  # modal titles are limited to 24 characters
    with pytest.raises(Exception):  # noqa: B017  (slack_sdk raises its own formation error)
        View(**bad).to_dict()
