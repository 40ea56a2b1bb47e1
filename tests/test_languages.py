"""Each person is addressed in their own Slack locale from the first message (issue #12):
contacts, namers, coordinators and experts too; stored per person, refreshed after a month."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from bot.entry.scheduler import reflect_job
from bot.slack import ids
from tests import payloads as p
from tests.conftest import running_bot
from tests.flows import (
    blocks_text,
    buttons,
    click,
    dms_to,
    last_dm,
    submit_opened,
    submit_request,
    text_state,
)

REQUESTER, CONTACT, OTHER_CONTACT, NAMER, COORD = "U0REQ1", "U0LEI1", "U0LEI2", "U0BRE3", "U0COORD1"


def english(bot, *users: str) -> None:
    for user in users:
        bot.slack.set_user(user, email=f"{user.lower()}@example.org", locale="en-US")


def test_an_english_contact_gets_the_very_first_decision_request_in_english(bot):
    english(bot, OTHER_CONTACT)

    submit_request(bot, REQUESTER)

    german, english_dm = last_dm(bot, CONTACT), last_dm(bot, OTHER_CONTACT)
    assert "Genehmigen" in blocks_text(german.params["blocks"])
    assert "Approve" in blocks_text(english_dm.params["blocks"])
    assert "Genehmigen" not in blocks_text(english_dm.params["blocks"])
    asked = {c.params["user"] for c in bot.slack.calls_to("users.info")}
    assert OTHER_CONTACT in asked  # asked before the first message, not after it


def test_namers_coordinators_and_experts_read_their_language(bot):
    english(bot, NAMER, COORD, "U0EXP1")
    submit_request(bot, REQUESTER)
    click(bot, CONTACT, last_dm(bot, CONTACT), ids.A_APPROVE)

    assert "Name experts" in blocks_text(last_dm(bot, NAMER).params["blocks"])
    assert "approved" in blocks_text(last_dm(bot, COORD).params["blocks"])

    click(bot, NAMER, last_dm(bot, NAMER), ids.A_NAME_EXPERTS)
    values = {ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP1"])}}
    assert submit_opened(bot, NAMER, values) == (200, "")

    dm = next(
        c.response["channel"]["id"]
        for c in bot.slack.delivered("conversations.open")
        if c.params["users"] == "U0EXP1"
    )
    [calendar] = [
        c
        for c in bot.slack.delivered("files.completeUploadExternal")
        if c.params["channel_id"] == dm
    ]
    assert "for your calendar" in calendar.params["initial_comment"]


def test_a_first_help_and_home_tab_come_in_the_persons_language(bot):
    english(bot, "U0REQ2")

    status, said = bot.http.command(user_id="U0REQ2", text="help")
    bot.http.event({"type": "app_home_opened", "user": "U0REQ2", "tab": "home"})

    assert status == 200
    assert "file a new request" in said["text"]  # in the ack: one answer, in English
    [home] = bot.slack.calls_to("views.publish")
    assert "New C+R request" in blocks_text(home.params["view"]["blocks"])


def test_someone_seen_before_gets_the_form_in_their_language_at_once(
    fake_slack, database_url, directory_file, clock
):
    with running_bot(fake_slack, database_url, directory_file, clock) as bot:
        english(bot, REQUESTER)
        bot.http.command(user_id=REQUESTER, trigger_id="t1")  # learns the locale
    # Another instance (or a restart): the language comes from the database.
    with running_bot(fake_slack, database_url, directory_file, clock) as bot:
        english(bot, REQUESTER)
        bot.http.command(user_id=REQUESTER, trigger_id="t2")

        first = bot.slack.calls[0]
        assert first.method == "views.open"
        assert first.params["view"]["title"]["text"] == "C+R request"


def test_a_locale_is_asked_again_after_a_month(bot):
    english(bot, OTHER_CONTACT)
    submit_request(bot, REQUESTER, view_id="V1")
    before = len(bot.slack.calls_to("users.info"))
    submit_request(bot, REQUESTER, view_id="V2")
    assert len(bot.slack.calls_to("users.info")) == before  # known: not asked again

    bot.slack.set_user(OTHER_CONTACT, email="leo@leipzig.de", locale="de-DE")
    bot.clock.advance(days=31)
    later = {ids.B_DATE_FROM: p.date_value("2027-02-01"), ids.B_DATE_TO: p.date_value("2027-02-02")}
    assert submit_request(bot, REQUESTER, view_id="V3", **later) == (200, "")

    assert len(bot.slack.calls_to("users.info")) > before
    assert "Genehmigen" in blocks_text(dms_to(bot, OTHER_CONTACT)[-1].params["blocks"])


def test_an_english_requester_and_contact_go_through_the_whole_exchange_in_english(bot):
    """Filing, a question, the answer, approval, naming and reflection: everything the two
    English-speaking people receive is English; the German namer's is German."""
    english(bot, REQUESTER, OTHER_CONTACT, "U0EXP1")
    bot.services.remember_language(REQUESTER, "en-US")  # seen before: her form is English
    bot.http.command(user_id=REQUESTER, trigger_id="t-form")
    assert bot.slack.delivered("views.open")[-1].params["view"]["title"]["text"] == "C+R request"
    submit_request(bot, REQUESTER, metadata='{"lang":"en"}')

    click(bot, OTHER_CONTACT, last_dm(bot, OTHER_CONTACT), ids.A_ASK)
    asked = submit_opened(bot, OTHER_CONTACT, text_state(ids.B_REASON, "Which dates work?"))
    assert asked == (200, "")
    question = last_dm(bot, REQUESTER)
    assert "question" in question.params["text"].lower()
    click(bot, REQUESTER, question, ids.A_ANSWER)
    assert submit_opened(bot, REQUESTER, text_state(ids.B_REASON, "Any in December.")) == (
        200,
        "",
    )
    click(bot, OTHER_CONTACT, last_dm(bot, OTHER_CONTACT), ids.A_APPROVE)
    click(bot, NAMER, last_dm(bot, NAMER), ids.A_NAME_EXPERTS)
    values = {ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP1"])}}
    assert submit_opened(bot, NAMER, values) == (200, "")
    bot.clock.now = datetime(2026, 12, 10, 9, tzinfo=UTC)  # the day after, 10:00 in Berlin
    reflect_job(bot.services)
    assert ids.A_REFLECT in buttons(last_dm(bot, REQUESTER).params["blocks"])
    assert ids.A_REFLECT in buttons(last_dm(bot, "U0EXP1").params["blocks"])

    for user in (REQUESTER, OTHER_CONTACT, "U0EXP1"):
        for dm in dms_to(bot, user):
            shown = dm.params["text"] + blocks_text(dm.params["blocks"])
            for german in ("Anfrage #", "Genehmig", "Bitte ", "Rückfrage", "Expert/innen"):
                assert german not in shown, (user, german, shown[:200])
    assert "Expert/innen" in blocks_text(last_dm(bot, NAMER).params["blocks"])


def test_simultaneous_actions_ask_slack_once_per_person(bot):
    """Eight submissions at once, the first after a start: each contact's locale is asked
    once, and the others wait for that answer instead of asking again (a herd of lookups
    and their writes kept the first submissions from their ack for seconds)."""
    bot.slack.fail("users.info", delay=0.3, times=100)
    people = sorted(bot.services.directory.people())
    errors: list[BaseException] = []

    def act() -> None:
        try:
            bot.services.learn_languages(people)
        except BaseException as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=act) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    asked = [c.params["user"] for c in bot.slack.calls_to("users.info")]
    assert sorted(asked) == people  # each once
