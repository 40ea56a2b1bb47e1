"""A way back after a decline or a lapse: *Erneut einreichen* opens the form prefilled with
the old request (the dates left empty), so nothing typed is lost."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import select

from bot.entry.scheduler import remind_job
from bot.slack import ids
from models import ExchangeRequest
from tests import payloads as p
from tests.flows import (
    blocks_text,
    buttons,
    click,
    form_values,
    last_dm,
    replies,
    submit_opened,
    submit_request,
    text_state,
)
from tests.seed import seed


def field(form: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in form["blocks"] if b.get("block_id") == block_id)["element"]


def declined(bot: Any, lang: str = "de") -> Any:
    """Request #1 filed (in `lang`) with goals, declined by Leipzig's contact; the
    requester's DM."""
    submit_request(
        bot,
        "U0REQ1",
        metadata=json.dumps({"lang": lang}),
        goals=p.text_value("Ein Konzept für zwei Schulen"),
    )
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_DECLINE)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Bitte erst im Frühjahr"))
    return last_dm(bot, "U0REQ1")


def test_file_again_after_a_decline_opens_the_old_request_without_its_dates(bot):
    dm = declined(bot)
    shown = blocks_text(dm.params["blocks"])
    assert "Bitte erst im Frühjahr" in shown
    assert "*Erneut einreichen* öffnet das Formular mit Ihren bisherigen Angaben" in shown
    assert buttons(dm.params["blocks"])[ids.A_FILE_AGAIN] == "1:2"

    click(bot, "U0REQ1", dm, ids.A_FILE_AGAIN)
    # "One moment" opens at once (no query before views.open); the form follows.
    assert bot.slack.delivered("views.open")[-1].params["view"]["callback_id"] == "cr_notice"
    update = bot.slack.delivered("views.update")[-1]
    form = update.params["view"]
    assert form["callback_id"] == ids.VIEW_REQUEST
    assert field(form, ids.B_TITLE)["initial_value"] == "Quartiersschulen gemeinsam planen"
    assert field(form, ids.B_QUESTION)["initial_value"] == (
        "Wie habt ihr Schule und Stadtteil zusammen geplant?"
    )
    assert field(form, ids.B_GOALS)["initial_value"] == "Ein Konzept für zwei Schulen"
    assert field(form, ids.B_TOPIC)["initial_option"]["value"] == "wohnen"
    assert field(form, ids.B_FORMAT)["initial_option"]["value"] == "workshop"
    assert field(form, ids.B_DIRECTION)["initial_option"]["value"] == "visit"
    assert field(form, ids.B_OWN_CITY)["initial_option"]["value"] == "leipzig"
    assert [o["value"] for o in field(form, ids.B_PARTNERS)["initial_options"]] == ["bremen"]
    assert field(form, ids.B_TRAVELLERS)["initial_value"] == "2"
    assert field(form, ids.B_COST)["initial_value"] == "450,00"
    # New dates to choose: the old ones are empty.
    assert "initial_date" not in field(form, ids.B_DATE_FROM)
    assert "initial_date" not in field(form, ids.B_DATE_TO)
    # Submitting it files a new request; the declined one stays declined.
    status, body = bot.http.submit(
        callback_id=ids.VIEW_REQUEST,
        user_id="U0REQ1",
        values=form_values(
            **{
                ids.B_DATE_FROM: p.date_value("2027-03-08"),
                ids.B_DATE_TO: p.date_value("2027-03-09"),
            }
        ),
        view_id=update.response["view"]["id"],
        private_metadata=form["private_metadata"],
    )
    assert status == 200 and not body
    with bot.session_factory() as s:
        rows = s.exec(select(ExchangeRequest).order_by(ExchangeRequest.id)).all()
    assert [(r.id, r.status, str(r.date_from)) for r in rows] == [
        (1, "declined", "2026-12-07"),
        (2, "submitted", "2027-03-08"),
    ]
    assert "#2" in last_dm(bot, "U0REQ1").params["text"]


def test_file_again_in_english(bot):
    bot.services.remember_language("U0REQ1", "en-US")
    dm = declined(bot, "en")
    assert "*File again* opens the form with what you entered before" in blocks_text(
        dm.params["blocks"]
    )
    (button,) = [
        el
        for b in dm.params["blocks"]
        if b.get("type") == "actions"
        for el in b["elements"]
        if el["action_id"] == ids.A_FILE_AGAIN
    ]
    assert button["text"]["text"] == "File again"
    assert button["accessibility_label"] == "File request #1 again"


def test_only_the_requester_may_open_their_request_again(bot):
    dm = declined(bot)
    mark = len(bot.slack.calls)
    click(bot, "U0OUT1", dm, ids.A_FILE_AGAIN, name="out")
    later = bot.slack.calls[mark:]
    # The "one moment" modal turns into the refusal; no form, nothing of the request shown.
    assert not any(
        c.method == "views.update" and c.params["view"].get("callback_id") == ids.VIEW_REQUEST
        for c in later
    )
    said = [blocks_text(c.params["view"]["blocks"]) for c in later if c.method == "views.update"]
    said += replies(bot, "out")
    assert any("Das kann nur <@U0REQ1>" in text for text in said), said
    assert all("Quartiersschulen" not in text for text in said)


def test_file_again_after_a_lapse(bot):
    # Filed, never decided; on its first day (Mon 7 Dec) it lapses.
    request_id = seed(bot, state="submitted", date_from=date(2026, 12, 7), title="Mobilstationen")
    bot.clock.now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    remind_job(bot.services)
    bot.services.deliver()
    dm = last_dm(bot, "U0REQ1")
    assert "nicht zustande gekommen" in blocks_text(dm.params["blocks"])
    assert buttons(dm.params["blocks"])[ids.A_FILE_AGAIN].startswith(f"{request_id}:")
    click(bot, "U0REQ1", dm, ids.A_FILE_AGAIN)
    form = bot.slack.delivered("views.update")[-1].params["view"]
    assert field(form, ids.B_TITLE)["initial_value"] == "Mobilstationen"
    assert "initial_date" not in field(form, ids.B_DATE_FROM)
