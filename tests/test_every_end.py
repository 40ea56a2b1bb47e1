"""Issue 21, findings 4 and 5: an over-budget referral and a withdrawal after matching, as
each person sees them: who is told what (message and push text, German and English), and
how every open copy is drawn again (chat.update)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.entry.scheduler import remind_job
from bot.slack import ids
from tests import payloads as p
from tests.flows import blocks_text, buttons, click, dms_to, last_dm, replies, submit_request
from tests.seed import seed
from tests.test_agreement import matched_with_agreement
from tests.test_budget import budget_bot  # noqa: F401  (the fixture)

REQUEST = 2  # the seeded approved request is #1

REFERRED = {
    "de": (
        "Ihre Anfrage #2 liegt jetzt bei der Koordination: <@U0LEI1> wollte sie genehmigen, "
        "aber das Reisebudget 2026 reicht nicht. Die Koordination (<@U0COORD1>) entscheidet "
        "nun darüber; Sie müssen nichts tun und hören hier von uns."
    ),
    "en": (
        "Your request #2 now lies with the coordination: <@U0LEI1> wanted to approve it, but "
        "the 2026 travel budget is not enough. The coordinators (<@U0COORD1>) decide on it "
        "now; there is nothing for you to do, and you will hear from us here."
    ),
}
NEXT = {
    "de": "die Koordination (<@U0COORD1>) entscheidet – die Anfrage übersteigt das Reisebudget.",
    "en": "the coordinators (<@U0COORD1>) will decide – the request exceeds the travel budget.",
}


def _updates_of(bot, message) -> list:
    """The chat.update calls Slack accepted for a posted message, oldest first."""
    where = (message.response["channel"], message.response["ts"])
    return [
        u
        for u in bot.slack.delivered("chat.update")
        if (u.params["channel"], u.params["ts"]) == where
    ]


def _home(bot, user: str) -> dict:
    bot.http.event(p.app_home_opened(user_id=user))
    published = [c for c in bot.slack.delivered("views.publish") if c.params["user_id"] == user]
    return published[-1].params["view"]


def berlin(day: int, month: int = 12) -> datetime:
    return datetime(2026, month, day, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


@pytest.mark.parametrize("lang", ["de", "en"])
def test_an_over_budget_referral_tells_the_requester_and_nobody_asks_again(budget_bot, lang):  # noqa: F811
    bot = budget_bot
    bot.slack.set_user("U0LEI2", email="u0lei2@example.org", locale="en-US")
    if lang == "en":
        bot.slack.set_user("U0REQ1", email="anna@leipzig.de", locale="en-US")
    # #1: 700 € of the 1.000 €, its experts named (no naming follow-up of its own)
    seed(bot, state="matched", cost_eur=Decimal("700"))
    # Its first day lies after the weeks below (on its first day it would lapse).
    later = {
        ids.B_DATE_FROM: p.date_value("2026-12-21"),
        ids.B_DATE_TO: p.date_value("2026-12-22"),
    }
    submit_request(bot, "U0REQ1", view_id="VOVER", metadata=json.dumps({"lang": lang}), **later)
    confirmation = last_dm(bot, "U0REQ1")
    copies = {user: last_dm(bot, user) for user in ("U0LEI1", "U0LEI2")}
    coordinator_dms = len(dms_to(bot, "U0COORD1"))

    click(bot, "U0LEI1", copies["U0LEI1"], ids.A_APPROVE)  # 450 € more: over budget
    assert "das wären 150,00 € über dem Budget" in replies(bot)[0]

    # The requester hears that it now lies with the coordination, in her language.
    told = last_dm(bot, "U0REQ1")
    assert told.params["text"] == REFERRED[lang]
    assert f":moneybag: {REFERRED[lang]}".replace("#2", "*#2*") in blocks_text(
        told.params["blocks"]
    )
    # Her confirmation DM names who decides now; she may still withdraw.
    [shown] = _updates_of(bot, confirmation)
    assert NEXT[lang] in shown.params["text"] and NEXT[lang] in blocks_text(shown.params["blocks"])
    assert "Leipzig" not in shown.params["text"]
    assert set(buttons(shown.params["blocks"])) == {ids.A_CANCEL}
    # Each contact's copy says so, in their language, and loses its buttons.
    [lei1] = _updates_of(bot, copies["U0LEI1"])
    assert blocks_text(lei1.params["blocks"]).startswith(
        ":moneybag: *An die Koordination übergeben* von <@U0LEI1> · "
    )
    assert "die Koordination entscheidet jetzt" in blocks_text(lei1.params["blocks"])
    [lei2] = _updates_of(bot, copies["U0LEI2"])
    assert blocks_text(lei2.params["blocks"]).startswith(
        ":moneybag: *Referred to the coordination* by <@U0LEI1> · "
    )
    assert lei2.params["text"].startswith("#2 Quartiersschulen gemeinsam planen (Leipzig → Bremen)")
    assert buttons(lei1.params["blocks"]) == buttons(lei2.params["blocks"]) == {}
    # The coordinator has the request with the buttons (one message).
    [handed] = dms_to(bot, "U0COORD1")[coordinator_dms:]
    assert set(buttons(handed.params["blocks"])) == {
        ids.A_APPROVE,
        ids.A_DECLINE,
        ids.A_ASK,
        ids.A_HISTORY_OPEN,  # the coordinators' *Verlauf*
    }

    # Home: the requester's names the coordination; a contact's shows it referred, without
    # the approve button; the coordinator's keeps the buttons.
    mine = blocks_text(_home(bot, "U0REQ1")["blocks"])
    assert NEXT[lang] in mine
    assert "Ansprechpartner/innen von Leipzig" not in mine and "contacts of Leipzig" not in mine
    contact = _home(bot, "U0LEI2")
    assert (
        ":moneybag: Over the travel budget – referred to the coordination (<@U0COORD1>); "
        "they decide." in blocks_text(contact["blocks"])
    )
    assert ids.A_APPROVE not in buttons(contact["blocks"])
    german = blocks_text(_home(bot, "U0LEI1")["blocks"])
    assert "Über dem Reisebudget – an die Koordination übergeben (<@U0COORD1>)" in german
    assert ids.A_APPROVE in buttons(_home(bot, "U0COORD1")["blocks"])

    # Working days pass: no reminder to the contacts, no escalation to the coordinator.
    contact_dms = {user: len(dms_to(bot, user)) for user in ("U0LEI1", "U0LEI2", "U0COORD1")}
    for day in (1, 2, 3, 4, 7, 8):
        bot.clock.now = berlin(day)
        assert remind_job(bot.services) == "nothing to do"
    assert {user: len(dms_to(bot, user)) for user in contact_dms} == contact_dms

    # The coordinator approves over budget: the closed copy says so.
    click(bot, "U0COORD1", handed, ids.A_APPROVE, name="c")
    assert replies(bot, "c") == []
    [closed] = _updates_of(bot, handed)
    assert blocks_text(closed.params["blocks"]).startswith(
        ":white_check_mark: *Über Budget genehmigt* von <@U0COORD1> · "
    )
    assert buttons(closed.params["blocks"]) == {}


def test_a_withdrawal_after_matching_tells_everybody_and_closes_the_agreement(bot):
    bot.slack.set_user("U0BRE3", email="u0bre3@example.org", locale="en-US")  # the namer
    intro = matched_with_agreement(bot)  # approved by U0LEI1, U0BRE3 named U0EXP1
    assert ids.A_CONFIRM_AGREEMENT in buttons(intro.params["blocks"])
    before = {u: len(dms_to(bot, u)) for u in ("U0LEI1", "U0LEI2", "U0BRE3", "U0EXP1", "U0COORD1")}
    confirmation = next(
        m for m in dms_to(bot, "U0REQ1") if ids.A_CANCEL in buttons(m.params["blocks"])
    )

    click(bot, "U0REQ1", confirmation, ids.A_CANCEL, name="withdraw")
    assert replies(bot, "withdraw") == []

    german = (
        "Zurückgezogen: Die C+R-Anfrage #1 „Quartiersschulen gemeinsam planen“ wurde von "
        "<@U0REQ1> zurückgezogen. Für Sie ist nichts mehr zu tun."
    )
    english = (
        'Withdrawn: C+R request #1 "Quartiersschulen gemeinsam planen" was withdrawn by '
        "<@U0REQ1>. You don't need to do anything."
    )
    got = {u: dms_to(bot, u)[n:] for u, n in before.items()}
    # The contact who approved, the contact who named (English), the expert and the
    # coordinator (who was sent the approval) each get one message; the other contact,
    # who never acted, does not.
    assert [m.params["text"] for m in got["U0LEI1"]] == [german]
    assert [m.params["text"] for m in got["U0BRE3"]] == [english]
    assert [m.params["text"] for m in got["U0EXP1"]] == [german]
    assert [m.params["text"] for m in got["U0COORD1"]] == [german]
    assert got["U0LEI2"] == []
    assert f":leftwards_arrow_with_hook: {german}".replace("#1", "*#1*") == blocks_text(
        got["U0LEI1"][0].params["blocks"]
    )
    # The group DM's introduction is drawn again: the outcome on top, no button.
    [redrawn] = _updates_of(bot, intro)
    blocks = redrawn.params["blocks"]
    assert buttons(blocks) == {}
    assert blocks_text(blocks[:1]).startswith(
        ":leftwards_arrow_with_hook: *Zurückgezogen* von <@U0REQ1> · "
    )
    assert "Stand: Zurückgezogen. Hier ist nichts mehr zu bestätigen." in blocks_text(blocks)
    assert redrawn.params["text"] == intro.params["text"]
    # The requester's confirmation DM shows it, without the withdraw button.
    shown = _updates_of(bot, confirmation)[-1].params
    assert "Zurückgezogen" in shown["text"] and buttons(shown["blocks"]) == {}
