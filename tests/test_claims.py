"""Cost claims after the trip: asked with the reflection prompt, claimed with receipts,
checked and paid by a coordinator (first click wins), each step in the audit trail and told
to the requester; a question sends it back; online exchanges are not asked."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlmodel import select

from bot.domain.claims import Claim, Receipt, receipts_from_json
from bot.entry.scheduler import reflect_job
from bot.slack import ids
from bot.slack.claims import claim_news, claim_prompt, receipt_links
from bot.slack.views.programme import receipts
from models import AuditEntry, CostClaim
from tests import payloads as p
from tests.flows import blocks_text, buttons, click, dms_to, last_dm, replies, text_state
from tests.seed import seed


def after_the_exchange(bot, **kw) -> int:
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


def prompt_for_claim(bot):
    prompts = [m for m in dms_to(bot, "U0REQ1") if ids.A_CLAIM in buttons(m.params["blocks"])]
    assert prompts, "the requester was not asked for the travel costs"
    return prompts[-1]


def _file(file_id: str, name: str) -> dict:
    """A file as view_submission carries it in a file_input's state (the file object of
    files.info; abridged)."""
    slug = re.sub(r"[^a-z0-9.]+", "_", name.lower())
    return {
        "id": file_id,
        "created": 1765357200,
        "timestamp": 1765357200,
        "name": name,
        "title": name,
        "mimetype": "application/pdf",
        "filetype": "pdf",
        "pretty_type": "PDF",
        "user": "U0REQ1",
        "user_team": "T0TEAM",
        "size": 65457,
        "mode": "hosted",
        "is_external": False,
        "is_public": False,
        "url_private": f"https://files.slack.com/files-pri/T0TEAM-{file_id}/{slug}",
        "permalink": f"https://koopstadt.slack.com/files/U0REQ1/{file_id}/{slug}",
        "channels": [],
        "groups": [],
        "ims": [],
    }


def submit_claim(bot, user: str, amount: str, basis: str, files: list[str], note: str = ""):
    """`files`: "F0REC1" (named like the id) or "F0REC1:Name of the file.pdf"."""
    opened = bot.slack.delivered("views.open")[-1].response["view"]
    uploaded = [_file(*(f.split(":", 1) if ":" in f else (f, f))) for f in files]
    values = {
        ids.B_CLAIM_AMOUNT: {ids.VALUE: p.text_value(amount)},
        ids.B_CLAIM_BASIS: {ids.VALUE: p.radio_value(basis, basis)},
        ids.B_CLAIM_NOTE: {ids.VALUE: p.text_value(note)},
        ids.B_CLAIM_FILES: {ids.VALUE: {"type": "file_input", "files": uploaded}},
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
    request_id = after_the_exchange(bot)
    prompt = prompt_for_claim(bot)
    assert prompt.params["text"].startswith(f"Bitte melden Sie Ihre Reisekosten: #{request_id}")
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

    status, body = submit_claim(bot, "U0REQ1", "zwölf", "per_person", [])
    assert body["response_action"] == "errors" and ids.B_CLAIM_AMOUNT in body["errors"]
    status, body = submit_claim(
        bot,
        "U0REQ1",
        "160,50",
        "per_person",
        ["F0REC1:Bahn Hinfahrt.pdf", "F0REC2:Rückfahrt *<!channel>*.pdf"],
        note="Bahn, 2. Klasse",
    )
    assert status == 200 and not body
    with bot.session_factory() as s:
        claim = s.get(CostClaim, request_id)
    assert (claim.status, claim.amount_cents, claim.per_person_cents) == ("claimed", 32100, 16050)
    assert [r["id"] for r in claim.receipts] == ["F0REC1", "F0REC2"]
    assert claim.receipts[0] == {
        "id": "F0REC1",
        "name": "Bahn Hinfahrt.pdf",
        "permalink": "https://koopstadt.slack.com/files/U0REQ1/F0REC1/bahn_hinfahrt.pdf",
    }
    thanks = last_dm(bot, "U0REQ1")
    assert (
        f"Ihre Reisekosten für #{request_id} (321,00 €) sind bei der Koordination"
        in thanks.params["text"]
    )

    copy = last_dm(bot, "U0COORD1")
    assert copy.params["text"].startswith(f"Reisekosten zu prüfen: #{request_id}")
    text = blocks_text(copy.params["blocks"])
    assert "*321,00 €* (2 × 160,50 €)" in text and "Bahn, 2. Klasse" in text
    # The receipts as links the coordinators open; the typed file name stays as typed.
    assert (
        "Belege: <https://koopstadt.slack.com/files/U0REQ1/F0REC1/bahn_hinfahrt.pdf"
        "|Bahn Hinfahrt.pdf>, <https://koopstadt.slack.com/files/U0REQ1/F0REC2/"
        "r_ckfahrt_channel_.pdf|Rückfahrt \u2060*\u2060&lt;!channel&gt;\u2060*\u2060.pdf>"
    ) in text
    assert "Geschätzt waren: 450,00 €" in text
    # The step buttons, and the request's history (coordinators: tests/test_history_modal.py).
    assert set(buttons(copy.params["blocks"])) == {
        ids.A_CLAIM_CHECK,
        ids.A_CLAIM_QUESTION,
        ids.A_HISTORY_OPEN,
    }

    # Only coordinators check.
    click(bot, "U0LEI1", copy, ids.A_CLAIM_CHECK, name="x")
    assert "Koordination" in replies(bot, "x")[0]

    click(bot, "U0COORD1", copy, ids.A_CLAIM_CHECK)
    news = last_dm(bot, "U0REQ1").params["text"]
    assert news == (
        f"<@U0COORD1> hat Ihre Reisekosten für #{request_id} (321,00 €) geprüft: sachlich "
        "richtig. Als Nächstes werden sie ausgezahlt; Sie müssen nichts tun."
    )
    shown = bot.slack.delivered("chat.update")[-1].params
    assert shown["ts"] == copy.response["ts"]
    assert shown["text"].startswith(f"Reisekosten zu #{request_id} ")
    assert shown["text"].endswith("(Leipzig → Bremen) – Stand: sachlich richtig, wird ausgezahlt")
    assert ":ballot_box_with_check: *Sachlich richtig* – bestätigt von <@U0COORD1> · <!date^" in (
        blocks_text(shown["blocks"])
    )
    assert set(buttons(shown["blocks"])) == {
        ids.A_CLAIM_PAID,
        ids.A_CLAIM_QUESTION,
        ids.A_HISTORY_OPEN,
    }

    # A second click on the old copy changes nothing (first click wins).
    click(bot, "U0COORD1", copy, ids.A_CLAIM_CHECK, name="again")
    assert replies(bot, "again")[0] == (
        f":information_source: Nichts geändert: Die Reisekosten zu *#{request_id}* sind schon "
        "weiter (Stand: sachlich richtig, wird ausgezahlt)."
    )

    updated_copy = type(copy)(**{**copy.__dict__, "params": {**copy.params, **shown}})
    click(bot, "U0COORD1", updated_copy, ids.A_CLAIM_PAID)
    assert last_dm(bot, "U0REQ1").params["text"] == (
        f"Ihre Reisekosten für #{request_id} (321,00 €) sind ausgezahlt – vermerkt von "
        "<@U0COORD1>. Damit ist die Abrechnung abgeschlossen."
    )
    final = bot.slack.delivered("chat.update")[-1].params
    assert "*Ausgezahlt* – vermerkt von <@U0COORD1>" in blocks_text(final["blocks"])
    assert buttons(final["blocks"]) == {ids.A_HISTORY_OPEN: str(request_id)}  # no step left
    assert final["text"].endswith("– Stand: ausgezahlt")

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
    request_id = after_the_exchange(bot)
    click(bot, "U0REQ1", prompt_for_claim(bot), ids.A_CLAIM)
    prompt = prompt_for_claim(bot)
    submit_claim(bot, "U0REQ1", "900", "total", ["F0TIX0:Hinfahrt.pdf"])
    # The prompt loses its button; its push text says plainly what happened.
    [closed_prompt] = [
        u for u in bot.slack.delivered("chat.update") if u.params["ts"] == prompt.response["ts"]
    ]
    assert closed_prompt.params["text"].startswith(f"Reisekosten gemeldet: #{request_id} Austausch")
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
    assert asked.params["text"] == (
        f"<@U0COORD1> hat eine Rückfrage zu Ihren Reisekosten für #{request_id}: Bitte die "
        "Bahntickets anhängen. Bitte ergänzen oder korrigieren Sie Ihre Angaben; bisherige "
        "Belege bleiben erhalten."
    )
    assert "Bitte die Bahntickets anhängen." in blocks_text(asked.params["blocks"])
    assert ids.A_CLAIM in buttons(asked.params["blocks"])
    closed = bot.slack.delivered("chat.update")[-1].params
    assert closed["ts"] == copy.response["ts"]
    assert buttons(closed["blocks"]) == {ids.A_HISTORY_OPEN: str(request_id)}  # no step left

    click(bot, "U0REQ1", asked, ids.A_CLAIM)
    submit_claim(bot, "U0REQ1", "880", "total", ["F0TIX1:Rückfahrt.pdf", "F0TIX0:Hinfahrt.pdf"])
    again = last_dm(bot, "U0COORD1")
    assert again.response["ts"] != copy.response["ts"]
    assert "*880,00 €*" in blocks_text(again.params["blocks"])
    # The receipts sent first are kept, the new one added, none twice.
    assert (
        "Belege: <https://koopstadt.slack.com/files/U0REQ1/F0TIX0/hinfahrt.pdf|Hinfahrt.pdf>, "
        "<https://koopstadt.slack.com/files/U0REQ1/F0TIX1/r_ckfahrt.pdf|Rückfahrt.pdf>"
    ) in blocks_text(again.params["blocks"])
    assert [a[1:] for a in _claim_audit(bot, request_id)][1:] == [
        ("claim", "asked", "claimed"),
        ("claim_question", "claimed", "question"),
        ("claim", "question", "claimed"),
    ]


def test_online_exchanges_and_nobody_travelling_are_not_asked(bot):
    after_the_exchange(bot, travellers=0)
    with bot.session_factory() as s:
        assert s.exec(select(CostClaim)).all() == []
    assert not any(ids.A_CLAIM in buttons(m.params["blocks"]) for m in dms_to(bot, "U0REQ1"))
    assert any(ids.A_REFLECT in buttons(m.params["blocks"]) for m in dms_to(bot, "U0REQ1"))


def test_only_the_requester_claims(bot):
    after_the_exchange(bot)
    click(bot, "U0EXP1", prompt_for_claim(bot), ids.A_CLAIM)
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


def test_receipts_keep_what_the_coordinators_open_and_nothing_odd():
    state = {
        ids.B_CLAIM_FILES: {
            ids.VALUE: {
                "type": "file_input",
                "files": [
                    _file("F0REC1", "Hotel.pdf"),
                    {**_file("F0REC2", "x"), "permalink": "javascript:alert(1)"},
                    {**_file("F0REC3", "y"), "permalink": "https://a.slack.com/f|evil>"},
                    {**_file("F0REC4", "z"), "name": None, "title": "Taxi\nquittung"},
                    {"id": "not an id", "name": "dropped"},
                    "F0BARE",
                ],
            }
        }
    }
    found = receipts(state, ids.B_CLAIM_FILES)
    assert [(r.id, r.name, bool(r.permalink)) for r in found] == [
        ("F0REC1", "Hotel.pdf", True),
        ("F0REC2", "x", False),
        ("F0REC3", "y", False),
        ("F0REC4", "Taxi quittung", True),
    ]
    assert receipts({}, ids.B_CLAIM_FILES) == []
    # Claims stored before names and links were kept: bare file ids.
    old = receipts_from_json(["F0OLD1", {"id": "F0NEW", "name": "a", "permalink": ""}, 7])
    assert old == (Receipt("F0OLD1"), Receipt("F0NEW", "a"))
    assert receipt_links(old) == "`F0OLD1`, a"
    many = tuple(
        Receipt(f"F0R{i}", "n" * 80, "https://x.slack.com/" + "p" * 400) for i in range(10)
    )
    shown = receipt_links(many)
    assert len(shown) <= 2600 and shown.endswith(">, + 6")  # 4 of ~505 characters fit


def test_what_the_requester_hears_reads_the_same_in_english():
    from tests.test_conversation_texts import summary

    s = summary(id=4, title="Quartiersschulen")
    claim = Claim(4, "checked", 3, amount_cents=32_100)
    checked = claim_news(s, "en", "claim.dm.checked", claim, "U0COORD1")
    assert checked["text"] == (
        "<@U0COORD1> has checked your travel costs for #4 (€321.00). Next they will be paid; "
        "nothing to do for you."
    )
    paid = claim_news(s, "en", "claim.dm.paid", claim, "U0COORD1")
    assert paid["text"] == (
        "Your travel costs for #4 (€321.00) have been paid – recorded by <@U0COORD1>. That "
        "completes the claim."
    )
    asked = claim_news(s, "en", "claim.dm.question", claim, "U0COORD1", "Tickets *please*")
    assert asked["text"] == (
        "<@U0COORD1> has a question about your travel costs for #4: Tickets "
        "\u2060*\u2060please\u2060*\u2060 Please complete or correct your claim; receipts "
        "already sent are kept."
    )
    assert claim_prompt(s, "en")["text"] == "Please report your travel costs: #4 Quartiersschulen"
