"""Filing a request over HTTP: the modal, validation, storage, the DM, help and list."""

from __future__ import annotations

from sqlmodel import select

from bot.slack import ids
from models import AuditEntry, ExchangeRequest, RequestPartner
from tests import payloads as p
from tests.flows import blocks_text, buttons, submit_request


def test_command_opens_the_modal_first_then_prefills_the_own_city(bot):
    status, body = bot.http.command(user_id="U0REQ1", trigger_id="111.222.abc")
    assert status == 200
    methods = bot.slack.methods()
    assert methods[0] == "views.open", methods
    opened = bot.slack.calls_to("views.open")[0].params
    assert opened["trigger_id"] == "111.222.abc"
    view = opened["view"]
    assert view["callback_id"] == ids.VIEW_REQUEST
    block_ids = [b.get("block_id") for b in view["blocks"] if b["type"] == "input"]
    assert block_ids == [
        ids.B_TITLE, ids.B_QUESTION, ids.B_TOPIC, ids.B_FORMAT, ids.B_DIRECTION,
        ids.B_OWN_CITY, ids.B_PARTNERS, ids.B_DATE_FROM, ids.B_DATE_TO, ids.B_TRAVELLERS,
        ids.B_COST,
    ]  # fmt: skip
    assert all(b["element"]["action_id"] == ids.VALUE for b in view["blocks"] if b["type"] == "input")
    assert "Kurztitel" in blocks_text(view["blocks"])
    # After the modal is open: the profile e-mail (leipzig.de) prefills the own city.
    update = bot.slack.calls_to("views.update")[0].params
    own = next(b for b in update["view"]["blocks"] if b.get("block_id") == ids.B_OWN_CITY)
    assert own["element"]["initial_option"]["value"] == "leipzig"
    assert update["view_id"] == bot.slack.delivered("views.open")[0].response["view"]["id"]
