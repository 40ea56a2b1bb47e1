"""Filing a request over HTTP: the modal, validation, storage, the DM, help and list."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest
from sqlmodel import select

from bot.slack import ids
from models import AuditEntry, ExchangeRequest, OutboxMessage, RequestPartner
from tests import payloads as p
from tests.conftest import running_bot
from tests.flows import blocks_text, buttons, last_dm, submit_request

INPUT_BLOCKS = [
    ids.B_TITLE,
    ids.B_QUESTION,
    ids.B_GOALS,
    ids.B_TOPIC,
    ids.B_FORMAT,
    ids.B_DIRECTION,
    ids.B_OWN_CITY,
    ids.B_PARTNERS,
    ids.B_DATE_FROM,
    ids.B_DATE_TO,
    ids.B_TRAVELLERS,
    ids.B_COST,
]


def _requests(bot) -> list[ExchangeRequest]:
    with bot.session_factory() as s:
        return list(s.exec(select(ExchangeRequest)).all())


def test_command_opens_the_modal_first_then_prefills_the_own_city(bot):
    status, body = bot.http.command(user_id="U0REQ1", trigger_id="111.222.abc")
    assert status == 200 and body == ""  # an empty ack: nothing in the channel
    assert bot.slack.methods() == ["views.open", "users.info", "views.update"]
    opened = bot.slack.calls_to("views.open")[0].params
    assert opened["trigger_id"] == "111.222.abc"
    view = opened["view"]
    assert view["callback_id"] == ids.VIEW_REQUEST
    assert [b.get("block_id") for b in view["blocks"] if b["type"] == "input"] == INPUT_BLOCKS
    assert all(
        b["element"]["action_id"] == ids.VALUE for b in view["blocks"] if b["type"] == "input"
    )
    text = blocks_text(view["blocks"])
    for label in (
        "Kurztitel",
        "Frage oder Anliegen",
        "Thema",
        "Partnerstadt/-städte",
        "Erster Tag",
        "Letzter Tag",
        "Reisende Personen",
        "Geschätzte Reisekosten in Euro",
    ):
        assert label in text
    topics = next(b for b in view["blocks"] if b.get("block_id") == ids.B_TOPIC)
    assert [o["value"] for o in topics["element"]["options"]] == ["mobilitaet", "wohnen"]
    # After the modal is open: the profile e-mail (leipzig.de) prefills the own city.
    update = bot.slack.calls_to("views.update")[0].params
    own = next(b for b in update["view"]["blocks"] if b.get("block_id") == ids.B_OWN_CITY)
    assert own["element"]["initial_option"]["value"] == "leipzig"
    opened_view = bot.slack.delivered("views.open")[0].response["view"]
    assert update["view_id"] == opened_view["id"] and update["hash"] == opened_view["hash"]


def test_shortcut_opens_the_same_modal_first(bot):
    body = p.form_body(
        {
            "type": "shortcut",
            "token": p.VERIFICATION_TOKEN,
            "action_ts": "1.2",
            "team": {"id": p.TEAM_ID, "domain": p.TEAM_DOMAIN},
            "user": {"id": "U0REQ2", "username": "ben", "team_id": p.TEAM_ID},
            "callback_id": ids.SHORTCUT_NEW_REQUEST,
            "trigger_id": "333.444.xyz",
            "is_enterprise_install": False,
            "enterprise": None,
        }
    )
    status, _ = bot.http.signed(body)
    assert status == 200
    assert bot.slack.methods()[0] == "views.open"
    assert bot.slack.calls_to("views.open")[0].params["view"]["callback_id"] == ids.VIEW_REQUEST
    update = bot.slack.calls_to("views.update")[0].params["view"]
    own = next(b for b in update["blocks"] if b.get("block_id") == ids.B_OWN_CITY)
    assert own["element"]["initial_option"]["value"] == "bremen"


def test_english_locale_gets_the_english_form(bot):
    bot.slack.set_user("U0REQ1", email="anna@leipzig.de", locale="en-US")
    bot.http.command(user_id="U0REQ1")
    update = bot.slack.calls_to("views.update")[0].params["view"]
    text = blocks_text(update["blocks"])
    assert "Short title" in text and "Partner city/cities" in text and "Kurztitel" not in text
    # The next time the form opens in English straight away.
    bot.http.command(user_id="U0REQ1")
    assert "Short title" in blocks_text(
        bot.slack.calls_to("views.open")[-1].params["view"]["blocks"]
    )


def test_last_request_prefills_the_city_when_the_email_says_nothing(bot):
    bot.slack.set_user("U0OUT1", email="someone@example.org")
    submit_request(
        bot,
        "U0OUT1",
        **{
            ids.B_OWN_CITY: p.select_value("nuernberg"),
            ids.B_PARTNERS: p.multi_select_values(["leipzig"]),
        },
    )
    bot.http.command(user_id="U0OUT1")
    update = bot.slack.calls_to("views.update")[-1].params["view"]
    own = next(b for b in update["blocks"] if b.get("block_id") == ids.B_OWN_CITY)
    assert own["element"]["initial_option"]["value"] == "nuernberg"


def test_views_open_failure_tells_the_person_privately(bot):
    bot.slack.fail("views.open", error="expired_trigger_id")
    bot.http.command(user_id="U0REQ1", response_url=bot.slack.response_url("c"))
    said = bot.slack.calls_to("response_url")[-1].params
    assert said["response_type"] == "ephemeral" and "/cr-request" in said["text"]


@pytest.mark.parametrize(
    ("overrides", "block", "message"),
    [
        (
            {
                ids.B_DATE_FROM: p.date_value("2026-12-10"),
                ids.B_DATE_TO: p.date_value("2026-12-09"),
            },
            ids.B_DATE_TO,
            "Der letzte Tag liegt vor dem ersten.",
        ),
        (
            {ids.B_DATE_FROM: p.date_value("2026-11-25")},
            ids.B_DATE_FROM,
            "Der erste Tag liegt in der Vergangenheit.",
        ),
        (
            {ids.B_PARTNERS: p.multi_select_values(["bremen", "leipzig"])},
            ids.B_PARTNERS,
            "Ihre eigene Stadt (Leipzig) kann nicht Partnerstadt sein.",
        ),
        ({ids.B_COST: p.text_value("-20")}, ids.B_COST, "Die Kosten können nicht negativ sein."),
        (
            {ids.B_COST: p.text_value("ungefähr 300")},
            ids.B_COST,
            "Bitte einen Betrag in Euro eingeben, z. B. 450 oder 1.250,50.",
        ),
        ({ids.B_TITLE: p.text_value("   ")}, ids.B_TITLE, "Bitte ausfüllen."),
        ({ids.B_QUESTION: p.text_value("\n \t")}, ids.B_QUESTION, "Bitte ausfüllen."),
        (
            {ids.B_TITLE: p.text_value("x" * 151)},
            ids.B_TITLE,
            "Bitte kürzen: höchstens 150 Zeichen (jetzt 151).",
        ),
        (
            {ids.B_TOPIC: p.select_value("kultur")},
            ids.B_TOPIC,
            "Dieses Thema gibt es nicht mehr. Bitte ein anderes wählen.",
        ),
        (
            {ids.B_OWN_CITY: p.select_value("dresden")},
            ids.B_OWN_CITY,
            "Diese Stadt ist nicht mehr im Verzeichnis. Bitte neu wählen.",
        ),
        (
            {ids.B_TRAVELLERS: p.number_value("21")},
            ids.B_TRAVELLERS,
            "Bitte eine ganze Zahl von 0 bis 20 (0, wenn niemand reist).",
        ),
        ({ids.B_PARTNERS: p.multi_select_values([])}, ids.B_PARTNERS, "Bitte auswählen."),
    ],
)
def test_bad_input_is_answered_under_its_field_and_nothing_is_stored(
    bot, overrides, block, message
):
    status, body = submit_request(bot, "U0REQ1", **overrides)
    assert status == 200
    assert body == {"response_action": "errors", "errors": {block: message}}
    assert _requests(bot) == []
    assert bot.slack.calls == []  # nobody was told anything


def test_several_problems_are_shown_at_once(bot):
    _, body = submit_request(
        bot, "U0REQ1", **{ids.B_TITLE: p.text_value(""), ids.B_COST: p.text_value("abc")}
    )
    assert set(body["errors"]) == {ids.B_TITLE, ids.B_COST}


def test_topic_removed_while_the_modal_was_open(bot, directory_file: Path):
    text = directory_file.read_text().replace('key = "mobilitaet"', 'key = "verkehr"')
    directory_file.write_text(text)
    from bot.infra.directory_file import load_directory_file
    from bot.usecases.directory import sync_directory

    sync_directory(bot.session_factory, load_directory_file(directory_file), now=bot.clock())
    _, body = submit_request(bot, "U0REQ1", **{ids.B_TOPIC: p.select_value("mobilitaet")})
    assert body["errors"] == {
        ids.B_TOPIC: "Dieses Thema gibt es nicht mehr. Bitte ein anderes wählen."
    }


def test_valid_submission_is_stored_with_its_audit_entry_before_the_dm(bot):
    status, body = submit_request(bot, "U0REQ1", **{ids.B_COST: p.text_value("1.250,50")})
    assert status == 200 and body == ""  # the modal closes
    [request] = _requests(bot)
    assert (request.status, request.requester_id, request.own_city_key) == (
        "submitted",
        "U0REQ1",
        "leipzig",
    )
    assert str(request.cost_eur) == "1250.50" and request.travellers == 2
    with bot.session_factory() as s:
        partners = s.exec(select(RequestPartner.city_key)).all()
        audit = s.exec(select(AuditEntry)).all()
        outbox = s.exec(select(OutboxMessage)).all()
    assert partners == ["bremen"]
    assert [(a.actor, a.action, a.from_status, a.to_status) for a in audit] == [
        ("U0REQ1", "submit", None, "submitted")
    ]
    # Every message was in the outbox, written with the request, and is now sent.
    assert all(o.sent_at is not None for o in outbox)
    assert sorted(
        o.payload.get("channel", "") for o in outbox if o.method == "chat.postMessage"
    ) == ["U0LEI1", "U0LEI2", "U0REQ1"]
    dm = last_dm(bot, "U0REQ1")
    assert "Ihre C+R-Anfrage #1 ist eingegangen" in dm.params["text"]
    text = blocks_text(dm.params["blocks"])
    for part in (
        "Leipzig → Bremen",
        "Wohnen",
        "Workshop",
        "Mo, 7. Dez. 2026 – Mi, 9. Dez. 2026",
        "1.250,50 €",
    ):
        assert part in text
    assert ids.A_CANCEL in buttons(dm.params["blocks"])


def test_double_submission_stores_one_request(bot):
    submit_request(bot, "U0REQ1", view_id="VDOUBLE")
    submit_request(bot, "U0REQ1", view_id="VDOUBLE")
    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(submit_request(bot, "U0REQ1", view_id="VRACE"))
        )
        for _ in range(3)
    ]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert [status for status, _ in results] == [200, 200, 200]
    assert len(_requests(bot)) == 2
    confirmations = [
        c for c in bot.slack.delivered("chat.postMessage") if c.params["channel"] == "U0REQ1"
    ]
    assert len(confirmations) == 2


def test_help_and_unknown_words_answer_privately(bot):
    bot.services.remember_language("U0REQ1", "de-DE")  # seen before: answered in the ack
    status, body = bot.http.command(user_id="U0REQ1", text="help")
    assert status == 200 and "/cr-request list" in body["text"]
    assert body.get("response_type", "ephemeral") == "ephemeral"
    status, body = bot.http.command(user_id="U0REQ1", text="blabla")
    assert "Unbekannt: „blabla“" in body["text"] and "/cr-request list" in body["text"]
    assert bot.slack.calls == []


def test_list_when_empty(bot):
    bot.http.command(user_id="U0REQ1", text="list", response_url=bot.slack.response_url("l"))
    said = bot.slack.calls_to("response_url")[-1].params
    assert "noch keine C+R-Anfrage" in said["text"]


def test_empty_directory_opens_no_modal_and_says_what_to_do(
    fake_slack, database_url, clock, tmp_path
):
    with running_bot(fake_slack, database_url, tmp_path / "missing.toml", clock) as bot:
        status, body = bot.http.command(user_id="U0REQ1")
    assert status == 200
    assert "noch nicht eingerichtet" in body["text"] and "cr-bot directory sync" in body["text"]
    assert fake_slack.calls_to("views.open") == []


def test_second_form_opens_prefilled_with_one_call(bot):
    bot.http.command(user_id="U0REQ1")
    mark = len(bot.slack.calls)
    bot.http.command(user_id="U0REQ1")
    assert [c.method for c in bot.slack.calls[mark:]] == ["views.open"]
    view = bot.slack.calls[mark].params["view"]
    own = next(b for b in view["blocks"] if b.get("block_id") == ids.B_OWN_CITY)
    assert own["element"]["initial_option"]["value"] == "leipzig"
    # After filing from another city, that city is remembered for the next form.
    submit_request(bot, "U0REQ1", **{ids.B_OWN_CITY: p.select_value("nuernberg")})
    mark = len(bot.slack.calls)
    bot.http.command(user_id="U0REQ1")
    view = bot.slack.calls[mark].params["view"]
    own = next(b for b in view["blocks"] if b.get("block_id") == ids.B_OWN_CITY)
    assert own["element"]["initial_option"]["value"] == "nuernberg"


def test_the_form_from_memory_follows_a_changed_directory(bot):
    """The blank form is built once per language and city and then kept; a directory that
    changes (here: a topic fewer) shows in the next form at once."""

    def topics_offered() -> list[str]:
        view = bot.slack.calls_to("views.open")[-1].params["view"]
        block = next(b for b in view["blocks"] if b.get("block_id") == ids.B_TOPIC)
        return [o["value"] for o in block["element"]["options"]]

    for _ in range(2):
        assert bot.http.command(user_id="U0REQ1", text="")[0] == 200
    first = topics_offered()
    assert len(first) > 1
    directory = bot.services.directory
    bot.services.directory = dataclasses.replace(directory, topics=directory.topics[1:])
    assert bot.http.command(user_id="U0REQ1", text="")[0] == 200
    assert topics_offered() == first[1:]
