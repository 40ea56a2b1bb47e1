"""Cost claims after the trip: asked with the reflection prompt, claimed with receipts,
checked and paid by a coordinator (first click wins), each step in the audit trail and told
to the requester; a question sends it back; online exchanges are not asked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import select

from bot.scheduler import reflect_job
from bot.slack import ids
from models import AuditEntry, CostClaim
from tests import payloads as p
from tests.flows import blocks_text, buttons, click, dms_to, last_dm, replies, text_state
from tests.seed import seed


def _after_the_exchange(bot, **kw) -> int:
    request_id = seed(
        bot,
        state="matched",
        date_from=date(2026, 12, 7),
        date_to=date(2026, 12, 9),
        cost_eur=Decimal("450"),
        **kw,
    )
    bot.clock.now = bot.clock.now.replace(year=2026, month=12, day=10, hour=9)  # Thu 10:00
    reflect_job(bot.services)
    return request_id


def _claim_prompt(bot):
    prompts = [m for m in dms_to(bot, "U0REQ1") if ids.A_CLAIM in buttons(m.params["blocks"])]
    assert prompts, "the requester was not asked for the travel costs"
    return prompts[-1]


def _submit_claim(bot, user: str, amount: str, basis: str, files: list[str], note: str = ""):
    opened = bot.slack.delivered("views.open")[-1].response["view"]
    values = {
        ids.B_CLAIM_AMOUNT: {ids.VALUE: p.text_value(amount)},
        ids.B_CLAIM_BASIS: {ids.VALUE: p.radio_value(basis, basis)},
        ids.B_CLAIM_NOTE: {ids.VALUE: p.text_value(note)},
        ids.B_CLAIM_FILES: {
            ids.VALUE: {"type": "file_input", "files": [{"id": f, "name": f} for f in files]}
        },
    }
    return bot.http.submit(
        callback_id=ids.VIEW_CLAIM,
        user_id=user,
        values=values,
        view_id=opened["id"],
        private_metadata=opened.get("private_metadata", ""),
    )


def _claim_audit(bot, request_id: int) -> list[tuple[str, str, str | None, str | None]]:
    with bot.session_factory() as s:
        rows = s.exec(
            select(AuditEntry).where(AuditEntry.request_id == request_id).order_by(AuditEntry.id)
        ).all()
    return [(a.actor, a.action, a.from_status, a.to_status) for a in rows if "claim" in a.action]


def test_a_claim_goes_from_asked_to_paid_with_its_audit_entries_and_dms(bot):
    request_id = _after_the_exchange(bot)
    prompt = _claim_prompt(bot)
    assert prompt.params["text"].startswith(f"Reisekosten melden: #{request_id}")
    assert "tatsächlich angefallen" in blocks_text(prompt.params["blocks"])
    # The reflection prompt came too.
    assert any(ids.A_REFLECT in buttons(m.params["blocks"]) for m in dms_to(bot, "U0REQ1"))

    click(bot, "U0REQ1", prompt, ids.A_CLAIM)
    opened = bot.slack.delivered("views.open")[-1].params["view"]
    assert opened["callback_id"] == ids.VIEW_CLAIM
    files = next(b for b in opened["blocks"] if b.get("block_id") == ids.B_CLAIM_FILES)
    assert files["element"]["type"] == "file_input" and files["optional"] is True
    updated = bot.slack.delivered("views.update")[-1].params["view"]
    assert "pro reisender Person (2)" in str(updated["blocks"])

    status, body = _submit_claim(bot, "U0REQ1", "zwölf", "per_person", [])
    assert body["response_action"] == "errors" and ids.B_CLAIM_AMOUNT in body["errors"]
    status, body = _submit_claim(
        bot, "U0REQ1", "160,50", "per_person", ["F0REC1", "F0REC2"], note="Bahn, 2. Klasse"
    )
    assert status == 200 and not body
    with bot.session_factory() as s:
        claim = s.get(CostClaim, request_id)
    assert (claim.status, claim.amount_cents, claim.per_person_cents) == ("claimed", 32100, 16050)
    assert claim.file_ids == ["F0REC1", "F0REC2"]
    thanks = last_dm(bot, "U0REQ1")
    assert (
        f"Ihre Reisekosten für #{request_id} (321,00 €) sind bei der Koordination"
        in thanks.params["text"]
    )

    copy = last_dm(bot, "U0COORD1")
    assert copy.params["text"].startswith(f"Reisekosten zu prüfen: #{request_id}")
    text = blocks_text(copy.params["blocks"])
    assert "*321,00 €* (2 × 160,50 €)" in text and "Bahn, 2. Klasse" in text
    assert "`F0REC1`, `F0REC2`" in text and "Geschätzt waren: 450,00 €" in text
    assert set(buttons(copy.params["blocks"])) == {ids.A_CLAIM_CHECK, ids.A_CLAIM_QUESTION}

    # Only coordinators check.
    click(bot, "U0LEI1", copy, ids.A_CLAIM_CHECK, name="x")
    assert "Koordination" in replies(bot, "x")[0]

    click(bot, "U0COORD1", copy, ids.A_CLAIM_CHECK)
    news = last_dm(bot, "U0REQ1").params["text"]
    assert "sind sachlich richtig (<@U0COORD1>)" in news and "321,00 €" in news
    shown = bot.slack.delivered("chat.update")[-1].params
    assert shown["ts"] == copy.response["ts"]
    assert "Sachlich richtig" in blocks_text(shown["blocks"])
    assert set(buttons(shown["blocks"])) == {ids.A_CLAIM_PAID, ids.A_CLAIM_QUESTION}

    # A second click on the old copy changes nothing (first click wins).
    click(bot, "U0COORD1", copy, ids.A_CLAIM_CHECK, name="again")
    assert "schon weiter: sachlich richtig, wird ausgezahlt" in replies(bot, "again")[0]

    updated_copy = type(copy)(**{**copy.__dict__, "params": {**copy.params, **shown}})
    click(bot, "U0COORD1", updated_copy, ids.A_CLAIM_PAID)
    assert "sind ausgezahlt (<@U0COORD1>)" in last_dm(bot, "U0REQ1").params["text"]
    final = bot.slack.delivered("chat.update")[-1].params
    assert "Ausgezahlt" in blocks_text(final["blocks"]) and buttons(final["blocks"]) == {}

    assert _claim_audit(bot, request_id) == [
        ("system", "claim_asked", None, "asked"),
        ("U0REQ1", "claim", "asked", "claimed"),
        ("U0COORD1", "claim_check", "claimed", "checked"),
        ("U0COORD1", "claim_pay", "checked", "paid"),
    ]
    # Once claimed, the actual costs replace the estimate in the budget's committed sum.
    from bot.usecases.budget import CLAIMED

    assert "paid" in CLAIMED


def test_a_question_sends_the_claim_back_and_the_requester_corrects_it(bot):
    request_id = _after_the_exchange(bot)
    click(bot, "U0REQ1", _claim_prompt(bot), ids.A_CLAIM)
    _submit_claim(bot, "U0REQ1", "900", "total", [])
    copy = last_dm(bot, "U0COORD1")
    click(bot, "U0COORD1", copy, ids.A_CLAIM_QUESTION)
    opened = bot.slack.delivered("views.open")[-1].response["view"]
    assert opened["callback_id"] == ids.VIEW_CLAIM_QUESTION
    bot.http.submit(
        callback_id=ids.VIEW_CLAIM_QUESTION,
        user_id="U0COORD1",
        values=text_state(ids.B_REASON, "Bitte die Bahntickets anhängen."),
        view_id=opened["id"],
        private_metadata=opened["private_metadata"],
    )
    asked = last_dm(bot, "U0REQ1")
    assert "<@U0COORD1> hat eine Rückfrage zu Ihren Reisekosten" in asked.params["text"]
    assert "Bitte die Bahntickets anhängen." in blocks_text(asked.params["blocks"])
    assert ids.A_CLAIM in buttons(asked.params["blocks"])
    closed = bot.slack.delivered("chat.update")[-1].params
    assert closed["ts"] == copy.response["ts"] and buttons(closed["blocks"]) == {}

    click(bot, "U0REQ1", asked, ids.A_CLAIM)
    _submit_claim(bot, "U0REQ1", "880", "total", ["F0TIX1"])
    again = last_dm(bot, "U0COORD1")
    assert again.response["ts"] != copy.response["ts"]
    assert "*880,00 €*" in blocks_text(again.params["blocks"])
    assert [a[1:] for a in _claim_audit(bot, request_id)][1:] == [
        ("claim", "asked", "claimed"),
        ("claim_question", "claimed", "question"),
        ("claim", "question", "claimed"),
    ]


def test_online_exchanges_and_nobody_travelling_are_not_asked(bot):
    _after_the_exchange(bot, travellers=0)
    with bot.session_factory() as s:
        assert s.exec(select(CostClaim)).all() == []
    assert not any(ids.A_CLAIM in buttons(m.params["blocks"]) for m in dms_to(bot, "U0REQ1"))
    assert any(ids.A_REFLECT in buttons(m.params["blocks"]) for m in dms_to(bot, "U0REQ1"))


def test_only_the_requester_claims(bot):
    _after_the_exchange(bot)
    click(bot, "U0EXP1", _claim_prompt(bot), ids.A_CLAIM)
    notice = bot.slack.delivered("views.update")[-1].params["view"]
    assert "Die Reisekosten meldet <@U0REQ1>" in blocks_text(notice["blocks"])


def test_claims_are_wanted_only_when_somebody_travels():
    from bot.domain.claims import claim_wanted
    from bot.domain.request import RequestDraft

    base = {
        "title": "t",
        "question": "q",
        "topic_key": "wohnen",
        "format": "workshop",
        "direction": "visit",
        "own_city_key": "leipzig",
        "partner_keys": ("bremen",),
        "date_from": date(2026, 12, 7),
        "date_to": date(2026, 12, 7),
        "travellers": 2,
    }
    assert claim_wanted(RequestDraft(**base))
    assert not claim_wanted(RequestDraft(**{**base, "format": "online"}))
    assert not claim_wanted(RequestDraft(**{**base, "direction": "online"}))
    assert not claim_wanted(RequestDraft(**{**base, "travellers": 0}))
