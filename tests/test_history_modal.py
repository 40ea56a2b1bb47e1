"""The audit trail in Slack: the coordinators' messages about a request carry a *Verlauf*
button (`history_open`, value: the request id); it opens a modal with who did what when,
the lines of `cr-bot history` in the reader's language, names as mentions, times in the
network's zone. Nobody else reads anything of it."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack import ids
from bot.usecases.history import history_lines
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

REQUESTER, CONTACT, COORD = "U0REQ1", "U0LEI1", "U0COORD1"


def english(bot: Any, *users: str) -> None:
    for user in users:
        bot.slack.set_user(user, email=f"{user.lower()}@example.org", locale="en-US")


def approved_and_asked(bot: Any) -> int:
    """Filed at 10:00 (Berlin), a question at 10:30, answered at 11:00, approved at 11:30."""
    submit_request(bot, REQUESTER)
    request_id = 1
    bot.clock.advance(minutes=30)
    click(bot, CONTACT, last_dm(bot, CONTACT), ids.A_ASK)
    submit_opened(bot, CONTACT, text_state(ids.B_REASON, "Wer *genau* fährt mit?"))
    bot.clock.advance(minutes=30)
    question = [m for m in dms_to(bot, REQUESTER) if ids.A_ANSWER in buttons(m.params["blocks"])]
    click(bot, REQUESTER, question[-1], ids.A_ANSWER)
    submit_opened(bot, REQUESTER, text_state(ids.B_REASON, "Zwei Kolleginnen."))
    bot.clock.advance(minutes=30)
    click(bot, CONTACT, last_dm(bot, CONTACT), ids.A_APPROVE)
    return request_id


def open_history(bot: Any, user: str, message: Any) -> dict[str, Any]:
    """Click *Verlauf* on `message`; the modal as it ends up (views.open, views.update)."""
    bot.slack.clear()
    status, _ = click(bot, user, message, ids.A_HISTORY_OPEN)
    assert status == 200
    methods = bot.slack.methods()
    # The modal opens first ("one moment"), before anything is read; then it is filled.
    assert methods[0] == "views.open"
    [opened] = bot.slack.delivered("views.open")
    return bot.slack.view(opened.response["view"]["id"])


def test_the_coordinators_history_button_opens_who_did_what_when_in_german(bot):
    request_id = approved_and_asked(bot)
    copy = last_dm(bot, COORD)  # "approved by …", with the mark-as-matched button
    button = next(
        e
        for b in copy.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.A_HISTORY_OPEN
    )
    assert button["value"] == str(request_id)
    assert button["text"]["text"] == "Verlauf"
    assert button["accessibility_label"] == "Verlauf der Anfrage #1: wer hat wann was getan"

    view = open_history(bot, COORD, copy)

    assert view["title"]["text"] == "Verlauf #1"
    text = blocks_text(view["blocks"])
    lines = text.split("\n")
    assert lines[0] == "*#1 Quartiersschulen gemeinsam planen* · Stand: genehmigt"
    assert "*Do, 26. Nov. 2026 um 10:00 Uhr* · <@U0REQ1>: gestellt (– → eingereicht)" in lines
    assert (
        "*Do, 26. Nov. 2026 um 10:30 Uhr* · <@U0LEI1>: Rückfrage gestellt "
        "(eingereicht → Rückfrage offen)" in lines
    )
    # The comment, quoted as typed (its markup shown, not applied).
    assert ">Wer \u2060*\u2060genau\u2060*\u2060 fährt mit?" in lines
    assert (
        "*Do, 26. Nov. 2026 um 11:00 Uhr* · <@U0REQ1>: Rückfrage beantwortet "
        "(Rückfrage offen → eingereicht)" in lines
    )
    assert (
        "*Do, 26. Nov. 2026 um 11:30 Uhr* · <@U0LEI1>: genehmigt (eingereicht → genehmigt)" in lines
    )
    assert lines[-1].startswith("Zeiten in Europe/Berlin.")
    # The same entries as `cr-bot history`, in the same order.
    cli = history_lines(bot.session_factory, request_id, tz=bot.services.settings.timezone)
    entries = [line for line in lines if line.startswith("*") and " · <@" in line]
    assert len(entries) == len(cli) - 1
    assert [e.split(": ", 1)[0].split(" · ")[1] for e in entries] == [
        f"<@{line.split()[3]}>" for line in cli[1:]
    ]


def test_the_history_reads_in_english_for_an_english_coordinator(bot):
    english(bot, COORD)
    approved_and_asked(bot)

    copy = last_dm(bot, COORD)
    [button] = [
        e
        for b in copy.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.A_HISTORY_OPEN
    ]
    assert button["text"]["text"] == "History"
    assert button["accessibility_label"] == "History of request #1: who did what when"

    view = open_history(bot, COORD, copy)

    assert view["title"]["text"] == "History #1"
    lines = blocks_text(view["blocks"]).split("\n")
    assert lines[0] == "*#1 Quartiersschulen gemeinsam planen* · Status: approved"
    assert "*Thu, 26 Nov 2026 at 10:00* · <@U0REQ1>: filed (– → submitted)" in lines
    assert (
        "*Thu, 26 Nov 2026 at 10:30* · <@U0LEI1>: asked a question "
        "(submitted → question pending)" in lines
    )
    assert "*Thu, 26 Nov 2026 at 11:30* · <@U0LEI1>: approved (submitted → approved)" in lines
    assert lines[-1].startswith("Times in Europe/Berlin.")


@pytest.mark.parametrize("user", [CONTACT, REQUESTER, "U0OUT1"])
def test_nobody_but_a_coordinator_reads_the_history(bot, user):
    approved_and_asked(bot)
    copy = last_dm(bot, COORD)

    view = open_history(bot, user, copy)

    text = blocks_text(view["blocks"])
    assert text == ":no_entry: Den Verlauf einer Anfrage sieht nur die Koordination des Netzwerks."
    assert "<@" not in text and "genehmigt" not in text


def test_an_unknown_request_is_said_so(bot):
    approved_and_asked(bot)
    copy = last_dm(bot, COORD)
    bot.slack.clear()

    click(bot, COORD, copy, ids.A_HISTORY_OPEN, value="999")

    [updated] = bot.slack.delivered("views.update")
    assert blocks_text(updated.params["view"]["blocks"]) == "Die Anfrage #999 gibt es nicht (mehr)."


def test_the_claim_copies_carry_the_button_and_the_trail_names_the_claims_steps(bot):
    from tests.test_report_files import checked_claim

    request_id = checked_claim(bot, "Austausch mit Kosten", 12050)
    copies = [m for m in dms_to(bot, COORD) if ids.A_CLAIM_CHECK in buttons(m.params["blocks"])]
    assert copies and ids.A_HISTORY_OPEN in buttons(copies[-1].params["blocks"])
    # Checked: the copy was updated, and keeps the button.
    [update] = [
        c for c in bot.slack.delivered("chat.update") if c.params["ts"] == copies[-1].response["ts"]
    ][-1:]
    assert buttons(update.params["blocks"])[ids.A_HISTORY_OPEN] == str(request_id)

    lines = blocks_text(open_history(bot, COORD, copies[-1])["blocks"]).split("\n")

    assert (
        "*Do, 10. Dez. 2026 um 10:00 Uhr* · der Bot: nach den Reisekosten gefragt "
        "(– → noch nicht gemeldet)" in lines
    )
    assert (
        "*Do, 10. Dez. 2026 um 10:00 Uhr* · <@U0REQ1>: Reisekosten gemeldet "
        "(noch nicht gemeldet → gemeldet, wird geprüft)" in lines
    )
    assert (
        "*Do, 10. Dez. 2026 um 11:00 Uhr* · <@U0COORD1>: Reisekosten sachlich richtig "
        "(gemeldet, wird geprüft → sachlich richtig, wird ausgezahlt)" in lines
    )
