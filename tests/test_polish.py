"""Issue 21, "the polish": what people read says what it means, in German and English."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest

from bot.domain.claims import Claim, ClaimStatus
from bot.domain.deputies import Absence
from bot.domain.reflection import Lesson
from bot.entry.scheduler import reflect_job
from bot.infra.directory_file import parse_directory
from bot.slack import ids, messages, views
from bot.slack.claims import claim_for_coordinators
from bot.slack.listeners.deputies import current_text
from bot.slack.reflections import follow_up_modal, follow_up_question, lessons_post
from bot.slack.search import hit_blocks
from bot.slack.views.programme import claim_modal
from bot.texts import TEXTS, t
from bot.usecases.search import Hit
from tests import payloads as p
from tests.conftest import DIRECTORY, Clock, running_bot
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
from tests.test_after_the_end import claimed_exchange
from tests.test_conversation_texts import summary
from tests.test_deputies import run_command
from tests.test_joint_reflection import berlin, prompted, reflect_on

DIR = parse_directory(DIRECTORY)


@pytest.fixture
def rbot(fake_slack, database_url, directory_file) -> Iterator:
    with running_bot(fake_slack, database_url, directory_file, Clock(berlin(2026, 11, 26))) as bot:
        yield bot


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
    request_id, _ = claimed_exchange(bot)
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
    said = run_command(bot, "U0LEI1", "vertretung <@U0NUE1|nina> bis 31.12.")
    assert said.startswith(":busts_in_silhouette: Vertretung eingetragen:")
    shown = run_command(bot, "U0LEI1", "vertretung")
    assert shown.startswith(
        ":busts_in_silhouette: Ihre Vertretung: <@U0NUE1> vertritt Sie bis Do, 31. Dez. 2026. "
        "Bis dahin gehen neue Anfragen zum Entscheiden und zum Benennen von Expert/innen an "
        "<@U0NUE1> statt an Sie.\n"
    )
    assert "eingetragen:" not in shown
    run_command(bot, "U0LEI1", "vertretung ende")
    run_command(bot, "U0LEI1", "vertretung bis 31.12.")
    assert run_command(bot, "U0LEI1", "vertretung").startswith(
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


# --- labels never say "(optional)" where Slack adds it ----------------------------------


def _optional_labels(view: dict) -> list[str]:
    return [b["label"]["text"] for b in view["blocks"] if b["type"] == "input" and b["optional"]]


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("de", ["Was bietet Bremen an?", "Hinweis für alle", "Eine Zeile dazu", "Belege"]),
        ("en", ["What does Bremen offer?", "Note for everyone", "One line on it", "Receipts"]),
    ],
)
def test_optional_inputs_are_not_labelled_optional_twice(lang, labels):
    shown = [
        *_optional_labels(views.name_experts_modal(7, "bremen", "Bremen", lang)),
        *_optional_labels(follow_up_modal(7, "yes", lang)),
        *[
            label
            for label in _optional_labels(claim_modal(7, lang, travelling=2))
            if label in labels
        ],
    ]
    assert shown == labels
    for key, entry in TEXTS.items():
        assert "(optional)" not in entry.get(lang, ""), key


# --- day 45: the real count, the modal names the request, answered closes the buttons ----


def test_the_day_45_question_counts_names_and_closes(rbot):
    bot = rbot
    request_id = prompted(bot)
    reflect_on(bot, "U0REQ1", share="report", worked="Gut")
    bot.clock.now = berlin(2027, 1, 25)  # Monday, 47 days after the end (45 was a Saturday)
    reflect_job(bot.services)
    [question] = [
        c for c in dms_to(bot, "U0REQ1") if ids.A_FOLLOW_UP in buttons(c.params["blocks"])
    ]
    assert blocks_text(question.params["blocks"]).startswith(
        f":seedling: Vor 47 Tagen endete Ihr C+R-Austausch *#{request_id} Stationen*."
    )
    click(bot, "U0REQ1", question, ids.A_FOLLOW_UP, value=f"{request_id}:yes")
    opened = blocks_text(bot.slack.delivered("views.open")[-1].params["view"]["blocks"])
    assert opened.startswith(f"*Anfrage #{request_id}*")
    named = blocks_text(bot.slack.delivered("views.update")[-1].params["view"]["blocks"])
    assert named.startswith(
        f"*Anfrage #{request_id}: Stationen*\nLeipzig → Bremen · Mo, 7. Dez. 2026 – Mi, 9. Dez."
    )
    updates = len(bot.slack.delivered("chat.update"))
    status, _ = submit_opened(bot, "U0REQ1", {ids.B_FOLLOW_UP: {ids.VALUE: p.radio_value("yes")}})
    assert status == 200
    [closed] = bot.slack.delivered("chat.update")[updates:]
    assert closed.params["ts"] == question.response["ts"]
    assert buttons(closed.params["blocks"]) == {}
    assert ":white_check_mark: *Beantwortet* (" in blocks_text(closed.params["blocks"])
    assert "): Ja. Danke!" in blocks_text(closed.params["blocks"])


@pytest.mark.parametrize(
    ("lang", "asked", "context_line", "answered"),
    [
        (
            "de",
            ":seedling: Vor 47 Tagen endete Ihr C+R-Austausch *#7 Quartiersschulen*.",
            "*Anfrage #7: Quartiersschulen*\nLeipzig → Bremen",
            ":white_check_mark: *Beantwortet* (heute): Teilweise. Danke!",
        ),
        (
            "en",
            ":seedling: Your C+R exchange *#7 Quartiersschulen* ended 47 days ago.",
            "*Request #7: Quartiersschulen*\nLeipzig → Bremen",
            ":white_check_mark: *Answered* (heute): Partly. Thank you!",
        ),
    ],
)
def test_the_day_45_texts_read_the_same_in_both_languages(lang, asked, context_line, answered):
    s = summary(status="completed")
    assert blocks_text(follow_up_question(s, lang, 47)["blocks"]).startswith(asked)
    view = follow_up_modal(7, "partly", lang, request=s, directory=DIR)
    assert blocks_text(view["blocks"]).startswith(context_line)
    partly = t(lang, "followup.partly")
    assert t(lang, "outcome.followed_up", answer=partly, when="heute") == answered


# --- lessons in the digest channel and in search are labelled -----------------------------


@pytest.mark.parametrize(
    ("lang", "labelled"),
    [
        (
            "de",
            "_Wird angewendet:_ Zwei Standorte · _Gut:_ Der Rundgang &amp; die Fragen · "
            "_Weniger gut:_ Zu wenig Zeit",
        ),
        (
            "en",
            "_Will apply:_ Zwei Standorte · _Worked:_ Der Rundgang &amp; die Fragen · "
            "_Did not work:_ Zu wenig Zeit",
        ),
    ],
)
def test_lessons_say_what_worked_what_did_not_and_what_they_will_apply(lang, labelled):
    s = summary(status="completed")
    lesson = Lesson("U0REQ1", "Der Rundgang & die Fragen", "Zu wenig Zeit", "Zwei Standorte")
    post = lessons_post([(s, [lesson])], DIR, lang)
    assert f"> {labelled}" in blocks_text(post["blocks"])
    hit = Hit(request=s, experts=(), lessons=(lesson,))
    assert f":bulb: {labelled} – <@U0REQ1>" in blocks_text(hit_blocks(hit, DIR, lang))
    only = Lesson(None, None, None, "Standorte")
    anonymous = t(lang, "search.lesson.anonymous")
    assert blocks_text(hit_blocks(Hit(s, (), (only,)), DIR, lang)).endswith(
        f":bulb: _{t(lang, 'summary.will_apply')}:_ Standorte – {anonymous}"
    )


# --- the requester reads "in Vertretung für @X" as the contacts do ------------------------


def test_the_requester_reads_whom_a_deputy_stood_in_for(bot):
    run_command(bot, "U0LEI1", "vertretung <@U0NUE1|nina> bis 31.12.")
    submit_request(bot, "U0REQ1")
    click(bot, "U0NUE1", last_dm(bot, "U0NUE1"), ids.A_APPROVE)
    told = last_dm(bot, "U0REQ1")
    expected = "Ihre Anfrage #1 wurde von <@U0NUE1> (in Vertretung für <@U0LEI1>) genehmigt."
    assert expected in told.params["text"]
    assert expected.replace("#1", "*#1*") in blocks_text(told.params["blocks"])


@pytest.mark.parametrize(
    ("lang", "declined", "asked"),
    [
        (
            "de",
            "wurde von <@U0NUE1> (in Vertretung für <@U0LEI1>) leider abgelehnt.",
            "Rückfrage von <@U0NUE1> (in Vertretung für <@U0LEI1>) zu Ihrer Anfrage #7:",
        ),
        (
            "en",
            "was declined by <@U0NUE1> (standing in for <@U0LEI1>).",
            "<@U0NUE1> (standing in for <@U0LEI1>) has a question about your request #7:",
        ),
    ],
)
def test_a_deputys_decline_and_question_name_whom_they_stood_in_for(lang, declined, asked):
    s = summary(status="declined")
    shown = messages.declined_for_requester(s, DIR, lang, "U0NUE1", "Nein", for_user="U0LEI1")
    assert declined in shown["text"]
    assert declined.replace("#7", "*#7*") in blocks_text(shown["blocks"])
    question = messages.question_for_requester(s, DIR, lang, "U0NUE1", "Wann?", for_user="U0LEI1")
    assert question["text"].startswith(asked)
