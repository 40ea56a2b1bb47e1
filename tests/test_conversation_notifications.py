"""The conversation as people see it: what each notification says (its push `text` and its
blocks, as the fake Slack recorded them), who gets it, and that it stays current."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.entry.scheduler import reflect_job, remind_job
from bot.slack import ids
from bot.slack.blocks import WORD_JOINER
from tests import payloads as p
from tests.flows import (
    blocks_text,
    buttons,
    click,
    dms_to,
    form_values,
    last_dm,
    replies,
    submit_opened,
    submit_request,
    text_state,
)
from tests.seed import seed

TITLE = "Quartiersschulen gemeinsam planen"
BERLIN = ZoneInfo("Europe/Berlin")


def berlin(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, tzinfo=BERLIN).astimezone(UTC)


def updates_of(bot: Any, message: Any) -> list[Any]:
    """chat.update calls Slack accepted for a posted message, oldest first."""
    ts, channel = message.response["ts"], message.response["channel"]
    return [
        c
        for c in bot.slack.delivered("chat.update")
        if c.params["ts"] == ts and c.params["channel"] == channel
    ]


def shown(message_or_call: Any) -> str:
    """Push text and block text of a recorded call, as one string."""
    params = message_or_call.params
    return params.get("text", "") + "\n" + blocks_text(params.get("blocks", []))


def ask_and_answer(bot: Any, question: str, reply: str) -> tuple[Any, Any]:
    """LEI1 asks, the requester answers; returns (question DM, the contacts' new message)."""
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_ASK)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, question))
    asked = last_dm(bot, "U0REQ1")
    click(bot, "U0REQ1", asked, ids.A_ANSWER)
    submit_opened(bot, "U0REQ1", text_state(ids.B_REASON, reply))
    return asked, last_dm(bot, "U0LEI2")


def name(bot: Any, namer: str, experts: list[str], note: str | None = None) -> None:
    click(bot, namer, last_dm(bot, namer), ids.A_NAME_EXPERTS)
    values: dict[str, Any] = {ids.B_EXPERTS: {ids.VALUE: p.users_value(experts)}}
    if note is not None:
        values.update(text_state(ids.B_NOTE, note))
    status, body = submit_opened(bot, namer, values)
    assert status == 200 and not body, body


def notification_texts(bot: Any) -> list[str]:
    return [
        c.params.get("text", "")
        for method in ("chat.postMessage", "chat.update")
        for c in bot.slack.delivered(method)
    ]


# --- 1. push texts stand alone ---------------------------------------------------------


def test_each_push_text_says_what_happened_and_which_request(bot):
    bot.services.remember_language("U0LEI2", "en-US")
    submit_request(bot, "U0REQ1")
    cities = "(Leipzig → Bremen)"
    assert last_dm(bot, "U0LEI1").params["text"] == f"Bitte entscheiden: #1 {TITLE} {cities}"
    assert last_dm(bot, "U0LEI2").params["text"] == f"Please decide: #1 {TITLE} {cities}"

    asked, again = ask_and_answer(bot, "Wie viele genau?", "Zwei Personen.")
    assert asked.params["text"] == "Rückfrage von <@U0LEI1> zu Ihrer Anfrage #1: Wie viele genau?"
    assert again.params["text"] == f"Up for decision again: #1 {TITLE} {cities}"
    assert last_dm(bot, "U0LEI1").params["text"] == f"Erneut zu entscheiden: #1 {TITLE} {cities}"

    click(bot, "U0LEI2", again, ids.A_APPROVE)
    assert last_dm(bot, "U0BRE3").params["text"] == (
        f"Expert/innen gesucht für Bremen: #1 {TITLE} {cities}"
    )
    assert last_dm(bot, "U0COORD1").params["text"] == (
        f"Zur Info: genehmigt von <@U0LEI2> – #1 {TITLE} {cities}"
    )
    assert "genehmigt" in last_dm(bot, "U0REQ1").params["text"]
    for text in notification_texts(bot):
        assert "*" not in text and "&amp;" not in text and "&lt;" not in text, text


def test_decline_push_carries_the_reason(bot):
    submit_request(bot, "U0REQ1")
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_DECLINE)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Das Budget 2026 ist ausgeschöpft."))
    text = last_dm(bot, "U0REQ1").params["text"]
    assert text == (
        "Ihre Anfrage #1 wurde von <@U0LEI1> leider abgelehnt. Begründung: "
        "Das Budget 2026 ist ausgeschöpft."
    )


def test_reminder_and_escalation_push_texts(bot):
    submit_request(bot, "U0REQ1")  # Thursday 26 Nov, 10:00 in Berlin
    bot.clock.now = berlin(2026, 11, 30)
    remind_job(bot.services)
    bot.services.deliver()
    assert last_dm(bot, "U0LEI1").params["text"] == (
        f"Erinnerung: #1 wartet seit 2 Arbeitstagen auf Ihre Entscheidung – {TITLE} "
        "(Leipzig → Bremen)"
    )
    bot.clock.now = berlin(2026, 12, 3)
    remind_job(bot.services)
    bot.services.deliver()
    assert last_dm(bot, "U0COORD1").params["text"] == (
        f"Eskalation: #1 wartet seit 5 Arbeitstagen auf eine Entscheidung – {TITLE} "
        "(Leipzig → Bremen)"
    )
    for text in notification_texts(bot):
        assert "*" not in text and "&amp;" not in text, text


# --- 2. what people typed is shown as typed --------------------------------------------

HOSTILE = [
    "<!channel>",
    "<@U0LEI1>",
    "<https://evil.example|klick>",
    "*fett*",
    "_kursiv_",
    "~weg~",
    "`code`",
    "&amp;",
    "a & b <c> d",
    "> zitat",
]
MARKS = "*_~`"
TOKEN = re.compile(r"<([^<>]*)>")


def _texts(node: Any) -> list[tuple[str, str]]:
    """(type, text) of every text object in a payload, and its top-level text."""
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
            found.append((node["type"], node["text"]))
        for key, value in node.items():
            if key == "text" and isinstance(value, str) and "type" not in node:
                found.append(("mrkdwn", value))  # a message's `text` is parsed as mrkdwn
            else:
                found += _texts(value)
    elif isinstance(node, list):
        for item in node:
            found += _texts(item)
    return found


def _as_slack_shows(kind: str, text: str) -> str:
    """What a person reads: entities decoded (in mrkdwn), invisible joiners gone."""
    if kind == "mrkdwn":
        text = html.unescape(text)
    return text.replace(WORD_JOINER, "")


def _check_typed(kind: str, text: str, typed: str) -> None:
    segments = re.findall(r"«(.*?)»", text, flags=re.DOTALL)
    for segment in segments:
        assert _as_slack_shows(kind, segment).lstrip(">") in (typed, typed.lstrip(">")), text
        if kind == "plain_text":
            continue
        assert "<" not in segment and ">" not in segment, segment  # nothing Slack would parse
        assert not re.search(r"&(?!amp;|lt;|gt;)", segment), segment
        for i, char in enumerate(segment):
            if char in MARKS:  # cannot open or close formatting
                assert segment[i - 1 : i] == WORD_JOINER == segment[i + 1 : i + 2], segment
    for token in TOKEN.findall(text):  # every <…> left is ours: a mention, a date, a link
        assert re.fullmatch(r"@U0[A-Z0-9]+|!date\^.*|https://crbot-test\.slack\.com/.*", token)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_typed_text_never_pings_links_or_formats(bot, hostile):
    typed = f"«{hostile}»"
    submit_request(
        bot,
        "U0REQ1",
        **{ids.B_TITLE: p.text_value(f"T {typed}"), ids.B_QUESTION: p.text_value(typed)},
    )
    ask_and_answer(bot, f"F {typed}", f"A {typed}")
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    name(bot, "U0BRE3", ["U0EXP1"], note=f"N {typed}")
    bot.http.command(user_id="U0REQ1", text="list", response_url=bot.slack.response_url("l"))
    # A second request, reminded, escalated and declined with a typed reason.
    submit_request(bot, "U0REQ1", view_id="V2", **{ids.B_TITLE: p.text_value(f"Z {typed}")})
    bot.clock.now = berlin(2026, 12, 3)
    remind_job(bot.services)
    bot.services.deliver()
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_DECLINE)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, f"R {typed}"))
    bot.http.click(
        action_id=ids.A_CANCEL,
        value="1:4",
        user_id="U0REQ1",
        channel_id="D0",
        message_ts="1.1",
        response_url=bot.slack.response_url("c"),
    )
    checked = 0
    for method in ("chat.postMessage", "chat.update", "views.publish", "response_url"):
        for call in bot.slack.delivered(method):
            for kind, text in _texts({k: v for k, v in call.params.items() if k != "_name"}):
                assert "<!channel>" not in text and "<https://evil" not in text, text
                _check_typed(kind, text, hostile)
                checked += "«" in text
    assert checked > 20  # titles, questions, answers, notes, reasons: all were looked at
    kinds = {
        c.params.get("text", "").split(":")[0] for c in bot.slack.delivered("chat.postMessage")
    }
    assert {"Bitte entscheiden", "Eskalation", "Expert/innen gesucht für Bremen"} <= kinds


def test_the_helper_keeps_every_character():
    from bot.slack.blocks import escape

    for hostile in HOSTILE:
        assert html.unescape(escape(hostile)).replace(WORD_JOINER, "") == hostile


# --- 3. question and answer keep their context ---------------------------------------------


def test_the_requesters_question_dm_keeps_question_and_answer(bot):
    submit_request(bot, "U0REQ1")
    before = len(dms_to(bot, "U0REQ1"))
    asked, _ = ask_and_answer(bot, "Wie viele Personen genau?", "Zwei, beide aus dem Schulamt.")
    assert len(dms_to(bot, "U0REQ1")) == before + 1  # the question; no DM about her answer
    [update] = updates_of(bot, asked)
    text = blocks_text(update.params["blocks"])
    assert "Wie viele Personen genau?" in text and "Zwei, beide aus dem Schulamt." in text
    assert (
        "Sie haben geantwortet (" in text
        and "Ihre Antwort ist bei den Ansprechpartner/innen" in text
    )
    assert "geändert" not in text and "neuen Nachricht" not in text
    assert buttons(update.params["blocks"]) == {}


def test_an_edit_says_it_was_changed(bot):
    submit_request(bot, "U0REQ1")
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_ASK)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Geht es auch im Januar?"))
    asked = last_dm(bot, "U0REQ1")
    click(bot, "U0REQ1", asked, ids.A_EDIT)
    form = bot.slack.delivered("views.update")[-1]
    bot.http.submit(
        callback_id=ids.VIEW_REQUEST,
        user_id="U0REQ1",
        values=form_values(),
        view_id=form.response["view"]["id"],
        private_metadata=form.params["view"]["private_metadata"],
    )
    [update] = updates_of(bot, asked)
    text = blocks_text(update.params["blocks"])
    assert "Sie haben die Anfrage geändert (" in text and "geändert" in text
    assert "erneut zur Entscheidung" in text


# --- 4. nobody is told about their own action ----------------------------------------------


def test_a_coordinator_who_approves_gets_no_fyi_copy(bot):
    submit_request(bot, "U0REQ1")
    click(bot, "U0COORD1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    assert dms_to(bot, "U0COORD1") == []
    assert "genehmigt" in last_dm(bot, "U0REQ1").params["text"]


def test_the_automatic_match_says_who_named_which_experts(bot):
    submit_request(bot, "U0REQ1")
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    coordination = last_dm(bot, "U0COORD1")
    assert "Nur nötig, wenn die Expert/innen außerhalb des Bots gefunden wurden." in (
        blocks_text(coordination.params["blocks"])
    )
    name(bot, "U0BRE3", ["U0EXP1", "U0EXP2"])
    [closed] = updates_of(bot, coordination)
    text = blocks_text(closed.params["blocks"])
    assert "Bremen: <@U0EXP1> und <@U0EXP2> (benannt von <@U0BRE3>)" in text
    assert "markiert" not in text and buttons(closed.params["blocks"]) == {}


def test_a_coordinator_who_withdraws_tells_the_requester_not_himself(bot):
    submit_request(bot, "U0REQ1")
    click(bot, "U0COORD1", dms_to(bot, "U0REQ1")[0], ids.A_CANCEL, name="c")
    assert replies(bot, "c") == []
    assert "zurückgezogen" in last_dm(bot, "U0REQ1").params["text"]
    assert dms_to(bot, "U0COORD1") == []
    for contact in ("U0LEI1", "U0LEI2"):
        assert last_dm(bot, contact).params["text"].startswith("Zurückgezogen: Die C+R-Anfrage #1")


# --- 5. statuses never go stale ------------------------------------------------------------


def test_the_confirmation_dm_follows_the_request_and_keeps_withdraw_while_open(bot):
    submit_request(bot, "U0REQ1")
    confirmation = dms_to(bot, "U0REQ1")[0]
    assert ids.A_CANCEL in buttons(confirmation.params["blocks"])
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    approved = updates_of(bot, confirmation)[-1].params
    assert "Genehmigt – Expert/innen werden gesucht" in approved["text"]
    assert "die Expert/innen von Bremen werden noch benannt" in blocks_text(approved["blocks"])
    assert ids.A_CANCEL in buttons(approved["blocks"])
    name(bot, "U0BRE3", ["U0EXP1"])
    matched = updates_of(bot, confirmation)[-1].params
    assert "Stand: Vermittelt" in matched["text"] and ids.A_CANCEL in buttons(matched["blocks"])
    # Withdrawing from the updated message works, and then there is nothing left to click.
    click(bot, "U0REQ1", updates_of(bot, confirmation)[-1], ids.A_CANCEL, name="w")
    assert replies(bot, "w") == []
    final = updates_of(bot, confirmation)[-1].params
    assert "Zurückgezogen" in final["text"] and buttons(final["blocks"]) == {}


def test_a_decline_closes_the_confirmation_and_every_button_message(bot):
    submit_request(bot, "U0REQ1")
    confirmation = dms_to(bot, "U0REQ1")[0]
    bot.clock.now = berlin(2026, 11, 30)
    remind_job(bot.services)
    bot.services.deliver()
    reminder = last_dm(bot, "U0LEI2")
    click(bot, "U0LEI1", dms_to(bot, "U0LEI1")[0], ids.A_DECLINE)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Kein Budget."))
    final = updates_of(bot, confirmation)[-1].params
    assert "Abgelehnt" in final["text"] and "Kein Budget." in blocks_text(final["blocks"])
    assert buttons(final["blocks"]) == {}
    for message in (dms_to(bot, "U0LEI2")[0], reminder):
        closed = updates_of(bot, message)[-1].params
        assert "Abgelehnt" in blocks_text(closed["blocks"]) and buttons(closed["blocks"]) == {}
        # a closed message does not claim a status that may change later
        assert "Status" not in blocks_text(closed["blocks"])


# --- 6. the reminder offers the decision itself -----------------------------------------


def test_the_reminder_has_the_buttons_and_says_when_the_coordinators_take_over(bot):
    submit_request(bot, "U0REQ1")
    bot.clock.now = berlin(2026, 11, 30)
    remind_job(bot.services)
    bot.services.deliver()
    reminder = last_dm(bot, "U0LEI1")
    text = blocks_text(reminder.params["blocks"])
    assert "Schaltflächen" in text and "Knöpfe" not in text
    assert "Nach 5 Arbeitstagen übernimmt die Koordination" in text
    assert set(buttons(reminder.params["blocks"])) == {ids.A_APPROVE, ids.A_DECLINE, ids.A_ASK}
    # The same checks as the original: an outsider changes nothing.
    click(bot, "U0BRE1", reminder, ids.A_APPROVE, name="out")
    assert "Ansprechpartner/innen von Leipzig" in replies(bot, "out")[-1]
    click(bot, "U0LEI1", reminder, ids.A_APPROVE, name="ok")
    assert replies(bot, "ok") == []
    closed = updates_of(bot, reminder)[-1].params
    assert "Genehmigt" in blocks_text(closed["blocks"]) and buttons(closed["blocks"]) == {}
    original = updates_of(bot, dms_to(bot, "U0LEI2")[0])[-1].params
    assert buttons(original["blocks"]) == {}


# --- 7. one group DM per request --------------------------------------------------------


def test_one_group_dm_for_all_partner_cities_and_the_requester_gets_its_link(bot):
    submit_request(
        bot, "U0REQ1", **{ids.B_PARTNERS: p.multi_select_values(["bremen", "nuernberg"])}
    )
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    naming_bremen = last_dm(bot, "U0BRE3")
    name(bot, "U0BRE3", ["U0EXP1"], note="Bitte Pläne mitbringen.")
    groups = [c for c in bot.slack.delivered("conversations.open") if "," in c.params["users"]]
    assert groups == []  # not yet: Nürnberg has not named
    waiting = blocks_text(updates_of(bot, naming_bremen)[-1].params["blocks"])
    assert "<@U0EXP1>" in waiting and "sobald alle Partnerstädte" in waiting
    name(bot, "U0NUE1", ["U0EXP3"])
    [group] = [c for c in bot.slack.delivered("conversations.open") if "," in c.params["users"]]
    assert group.params["users"].split(",") == ["U0REQ1", "U0EXP1", "U0EXP3", "U0BRE3", "U0NUE1"]
    channel = group.response["channel"]["id"]
    [intro] = [c for c in bot.slack.delivered("chat.postMessage") if c.params["channel"] == channel]
    text = blocks_text(intro.params["blocks"])
    assert "Bremen: <@U0EXP1> (benannt von <@U0BRE3>)" in text
    assert "Nürnberg: <@U0EXP3> (benannt von <@U0NUE1>)" in text
    assert "Bitte Pläne mitbringen." in text
    told = last_dm(bot, "U0REQ1")
    link = (
        f"https://crbot-test.slack.com/archives/{channel}/p{intro.response['ts'].replace('.', '')}"
    )
    told_text = blocks_text(told.params["blocks"])
    assert f"<{link}|Zur Gruppen-Nachricht>" in told_text
    assert "Bremen: <@U0EXP1>" in told_text and "Nürnberg: <@U0EXP3>" in told_text
    assert bot.slack.delivered("chat.getPermalink")[-1].params["channel"] == channel


# --- 8. English --------------------------------------------------------------------------


def test_english_texts_read_naturally(bot):
    from bot.texts import TEXTS

    english = " ".join(entry["en"] for entry in TEXTS.values())
    for clumsy in ("Nothing more to do for you", "The network pays the travel", "Knöpfe"):
        assert clumsy not in english


def test_the_confirmation_dm_shows_the_completion_without_buttons(bot):
    seed(bot, state="matched", date_from=date(2026, 12, 7), date_to=date(2026, 12, 9))
    confirmation = dms_to(bot, "U0REQ1")[0]
    bot.clock.now = datetime(2026, 12, 23, 9, tzinfo=UTC)  # 14 days after the end, 10:00

    reflect_job(bot.services)

    updates = [
        c
        for c in bot.slack.delivered("chat.update")
        if c.params["ts"] == confirmation.response["ts"]
    ]
    assert updates, "the confirmation DM was not updated on completion"
    last = updates[-1].params
    assert "Abgeschlossen" in blocks_text(last["blocks"])
    assert buttons(last["blocks"]) == {}
