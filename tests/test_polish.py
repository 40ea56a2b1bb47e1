"""Issue 21, "the polish": what people read says what it means, in German and English."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.domain.claims import Claim, ClaimStatus
from bot.domain.deputies import Absence
from bot.infra.directory_file import parse_directory
from bot.slack import ids, messages, views
from bot.slack.claims import claim_for_coordinators
from bot.slack.listeners.deputies import current_text
from tests.conftest import DIRECTORY
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
from tests.test_after_the_end import _claimed
from tests.test_conversation_texts import summary
from tests.test_deputies import _command

DIR = parse_directory(DIRECTORY)


def _block(view: dict, block_id: str) -> dict:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


@pytest.mark.parametrize(
    ("lang", "chosen", "means", "never"),
    [
        (
            "de",
            "Die Teilnehmenden dieses Austauschs",
            [
                "Nur die Koordination liest Ihre Antworten.",
                "Die Koordination und die Beteiligten (gemeinsame Reflexion).",
                "Alle im Netzwerk: auch im Kanal und in der Suche.",
            ],
            "andere Teilnehmende sehen sie nicht",
        ),
        (
            "en",
            "The participants of this exchange",
            [
                "Only the coordinators read your answers.",
                "The coordinators and the participants (joint reflection).",
                "Everyone in the network: also in the channel and in search.",
            ],
            "other participants do not see them",
        ),
    ],
)
def test_the_reflection_modal_says_what_each_choice_means(lang, chosen, means, never):
    view = views.reflection_modal(7, lang)
    share = _block(view, ids.B_SHARE)["element"]
    assert share["initial_option"]["text"]["text"] == chosen
    assert [o["description"]["text"] for o in share["options"]] == means
    assert share["initial_option"]["description"]["text"] == means[1]
    # Nothing says the answers stay with the coordinators while the default shares them.
    assert never not in blocks_text(view["blocks"])


# --- the claim message drops "Bitte prüfen:" once checked -------------------------------


@pytest.mark.parametrize(
    ("lang", "to_check", "checked"),
    [
        (
            "de",
            ":receipt: <@U0REQ1> meldet die Reisekosten für *#7*: *120,00 €*. Bitte prüfen:",
            ":receipt: <@U0REQ1> hat die Reisekosten für *#7* gemeldet: *120,00 €*.",
        ),
        (
            "en",
            ":receipt: <@U0REQ1> claims the travel costs for *#7*: *€120.00*. Please check:",
            ":receipt: <@U0REQ1> claimed the travel costs for *#7*: *€120.00*.",
        ),
    ],
)
def test_the_claim_asks_to_check_only_while_it_is_to_be_checked(lang, to_check, checked):
    s = summary(status="completed")
    claim = Claim(request_id=7, status=ClaimStatus.CLAIMED, version=2, amount_cents=12000)
    shown = claim_for_coordinators(s, DIR, lang, claim)
    assert shown["blocks"][0]["text"]["text"] == to_check
    for status in (ClaimStatus.CHECKED, ClaimStatus.PAID, ClaimStatus.QUESTION):
        later = claim_for_coordinators(
            s, DIR, lang, replace(claim, status=status), outcome="(outcome)"
        )
        assert later["blocks"][0]["text"]["text"] == checked
        assert "Bitte prüfen" not in blocks_text(later["blocks"])
        assert "Please check" not in blocks_text(later["blocks"])


def test_a_checked_claims_copy_no_longer_asks_to_check_it(bot):
    request_id, _ = _claimed(bot)
    copy = next(
        m
        for m in reversed(dms_to(bot, "U0COORD1"))
        if ids.A_CLAIM_CHECK in buttons(m.params["blocks"])
    )
    assert "Bitte prüfen:" in blocks_text(copy.params["blocks"])
    updates = len(bot.slack.delivered("chat.update"))
    click(bot, "U0COORD1", copy, ids.A_CLAIM_CHECK)
    [checked] = [
        c
        for c in bot.slack.delivered("chat.update")[updates:]
        if c.params["ts"] == copy.response["ts"]
    ]
    text = blocks_text(checked.params["blocks"])
    assert "Bitte prüfen" not in text
    assert f"<@U0REQ1> hat die Reisekosten für *#{request_id}* gemeldet: *120,00 €*." in text
    assert ids.A_CLAIM_PAID in buttons(checked.params["blocks"])


# --- a decline DM says what the requester can do next -------------------------------------


@pytest.mark.parametrize(
    ("lang", "next_"),
    [
        (
            "de",
            "*Wie weiter?* Fragen zur Entscheidung beantwortet Ihnen <@U0LEI1>. Mit geänderter "
            "Planung können Sie jederzeit eine neue Anfrage stellen: *Neue C+R-Anfrage* auf der "
            "Startseite des Bots oder `/cr-request`.",
        ),
        (
            "en",
            "*What next?* <@U0LEI1> can answer questions about the decision. With a changed plan "
            "you can file a new request at any time: *New C+R request* on the bot's Home tab or "
            "`/cr-request`.",
        ),
    ],
)
def test_a_decline_says_what_the_requester_can_do_next(lang, next_):
    s = summary(status="declined")
    shown = messages.declined_for_requester(s, DIR, lang, "U0LEI1", "Kein Budget")
    texts = [b["text"]["text"] for b in shown["blocks"] if b["type"] == "section" and "text" in b]
    assert texts[1:3] == [">Kein Budget", next_]


def test_the_requester_reads_the_next_step_in_the_decline_dm(bot):
    submit_request(bot, "U0REQ1")
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_DECLINE)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Budget ist ausgeschöpft."))
    told = last_dm(bot, "U0REQ1")
    assert told.params["text"].startswith("Ihre Anfrage #1 wurde von <@U0LEI1> leider abgelehnt.")
    assert "*Wie weiter?* Fragen zur Entscheidung beantwortet Ihnen <@U0LEI1>." in blocks_text(
        told.params["blocks"]
    )


# --- /cr-request vertretung alone: "Ihre Vertretung: …" ---------------------------------


def test_the_deputy_command_alone_shows_ones_own_deputy(bot):
    said = _command(bot, "U0LEI1", "vertretung <@U0NUE1|nina> bis 31.12.")
    assert said.startswith(":busts_in_silhouette: Vertretung eingetragen:")
    shown = _command(bot, "U0LEI1", "vertretung")
    assert shown.startswith(
        ":busts_in_silhouette: Ihre Vertretung: <@U0NUE1> vertritt Sie bis Do, 31. Dez. 2026. "
        "Bis dahin gehen neue Anfragen zum Entscheiden und zum Benennen von Expert/innen an "
        "<@U0NUE1> statt an Sie.\n"
    )
    assert "eingetragen:" not in shown
    _command(bot, "U0LEI1", "vertretung ende")
    _command(bot, "U0LEI1", "vertretung bis 31.12.")
    assert _command(bot, "U0LEI1", "vertretung").startswith(
        ":palm_tree: Ihre Abwesenheit: Sie sind bis Do, 31. Dez. 2026 abwesend, ohne Vertretung."
    )


@pytest.mark.parametrize(
    ("lang", "deputy", "away"),
    [
        (
            "de",
            ":busts_in_silhouette: Ihre Vertretung: <@U0NUE1> vertritt Sie bis Do, 31. Dez. 2026.",
            ":palm_tree: Ihre Abwesenheit: Sie sind bis Do, 31. Dez. 2026 abwesend",
        ),
        (
            "en",
            ":busts_in_silhouette: Your deputy: <@U0NUE1> stands in for you until Thu, "
            "31 Dec 2026.",
            ":palm_tree: Your absence: you are away until Thu, 31 Dec 2026, without a deputy.",
        ),
    ],
)
def test_ones_own_deputy_reads_the_same_in_both_languages(lang, deputy, away):
    until = date(2026, 12, 31)
    assert current_text(Absence("U0LEI1", "U0NUE1", until), lang).startswith(deputy)
    assert current_text(Absence("U0LEI1", None, until), lang).startswith(away)
