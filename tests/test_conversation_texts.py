"""What people read, in both languages: travellers, labels, dates, numbers and grammar."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.domain.request import COST_MAX, Problem, Summary
from bot.infra.directory_file import parse_directory
from bot.slack import home, ids, messages, views
from bot.slack.digest import digest_messages, digest_text
from bot.slack.report_message import report_refused
from bot.texts import TEXTS, join_names
from bot.usecases.digest import Digest
from bot.usecases.home import HomeData
from tests import payloads as p
from tests.conftest import DIRECTORY
from tests.flows import blocks_text, click, last_dm, replies, submit_request

DIR = parse_directory(DIRECTORY)
TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 1, 8, 10, tzinfo=UTC)


def summary(**changes: object) -> Summary:
    fields: dict[str, object] = dict(
        id=7,
        version=1,
        status="approved",
        requester_id="U0REQ1",
        title="Quartiersschulen",
        question="Wie?",
        topic_key="wohnen",
        format="workshop",
        direction="visit",
        own_city_key="leipzig",
        partner_keys=("bremen",),
        date_from=date(2026, 12, 7),
        date_to=date(2026, 12, 9),
        travellers=2,
        cost_eur=Decimal("1250.50"),
    )
    fields.update(changes)
    return Summary.model_validate(fields)


def _labels(view: dict) -> list[str]:
    return [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]


# --- 4. travellers and unambiguous labels -------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "first", "last", "hint"),
    [
        ("de", "Erster Tag", "Letzter Tag", "0, wenn niemand reist (z. B. online oder die "),
        ("en", "First day", "Last day", "0 if nobody travels (e.g. online, or the experts "),
    ],
)
def test_the_form_asks_for_first_and_last_day_and_allows_nobody_travelling(lang, first, last, hint):
    view = views.request_modal(DIR, lang)
    labels = _labels(view)
    assert first in labels and last in labels
    assert not {"Von", "Bis", "From", "To"} & set(labels)
    travellers = next(b for b in view["blocks"] if b.get("block_id") == ids.B_TRAVELLERS)
    assert travellers["element"]["min_value"] == "0"
    assert travellers["hint"]["text"].startswith(hint)


def test_nobody_travelling_is_accepted_and_shown_as_such(bot):
    status, body = submit_request(bot, "U0REQ1", **{ids.B_TRAVELLERS: p.number_value("0")})
    assert status == 200 and not body
    text = blocks_text(last_dm(bot, "U0LEI1").params["blocks"])
    assert "*Angefragt von*\n<@U0REQ1>" in text
    assert "niemand reist" in text and "Reisende" not in text


def test_an_online_request_shows_nobody_travelling_whatever_was_typed(bot):
    submit_request(
        bot,
        "U0REQ1",
        **{ids.B_DIRECTION: p.radio_value("online"), ids.B_TRAVELLERS: p.number_value("2")},
    )
    text = blocks_text(last_dm(bot, "U0LEI1").params["blocks"])
    assert "niemand reist" in text and "2 Personen" not in text


@pytest.mark.parametrize(
    ("lang", "by", "two", "one"),
    [
        ("de", "*Angefragt von*", "2 Personen reisen", "1 Person reist"),
        ("en", "*Requested by*", "2 people travel", "1 person travels"),
    ],
)
def test_summary_and_digest_say_who_travels(lang, by, two, one):
    text = blocks_text(messages.summary_blocks(summary(), DIR, lang))
    assert by in text and two in text
    assert one in blocks_text(messages.summary_blocks(summary(travellers=1), DIR, lang))
    online = summary(id=8, format="online", direction="online", title="Videocall")
    digest = Digest(
        today=date(2026, 11, 30), weeks=[(date(2026, 12, 7), [summary(), online])], pending=0
    )
    shown = digest_text(digest, DIR, lang)
    assert two in shown
    online_line = shown.split("Videocall")[1].split("\n  - ")[0]
    assert "travel" not in online_line and "reis" not in online_line


# --- 2. date tokens read well for today, yesterday, tomorrow and any other day -----------

TOKEN = re.compile(r"<!date\^(\d+)\^([^|>]*)\|([^>]*)>")
# What Slack puts for {date_short_pretty}: a relative word, or the short date.
PRETTY = {
    "de": ("heute", "gestern", "morgen", "1. Dez. 2026"),
    "en": ("today", "yesterday", "tomorrow", "Dec 1, 2026"),
}
BAD = {
    "de": ("am heute", "am gestern", "am morgen", "am 1. Dez", "am Mo,", "am Do,"),
    "en": ("on today", "on yesterday", "on tomorrow", "on Dec", "on Mon,", "on Thu,"),
}


def as_slack_shows(text: str, pretty: str) -> str:
    return TOKEN.sub(
        lambda m: m.group(2).replace("{date_short_pretty}", pretty).replace("{time}", "09:10"),
        text,
    )


def as_fallback(text: str) -> str:
    return TOKEN.sub(lambda m: m.group(3), text)


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize(
    "action", ["approve", "decline", "ask", "answer", "edit", "cancel", "name", "match"]
)
def test_outcome_lines_read_well_with_every_kind_of_date(lang, action):
    line = messages.outcome_line(action, "U0LEI1", NOW, lang, TZ)
    assert TOKEN.search(line)
    for shown in [as_slack_shows(line, pretty) for pretty in PRETTY[lang]] + [as_fallback(line)]:
        assert not any(bad in shown for bad in BAD[lang]), shown


def test_a_decision_reads_heute_um_and_its_fallback_matches(bot):
    submit_request(bot, "U0REQ1")
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    # The contacts' decision messages (the requester's confirmation is updated too).
    text = next(
        blocks_text(c.params["blocks"])
        for c in bot.slack.delivered("chat.update")
        if "*Genehmigt* von" in blocks_text(c.params["blocks"])
    )
    assert "*Genehmigt* von <@U0LEI1> · heute um 09:10" in as_slack_shows(text, "heute")
    # The clock says 26 Nov 2026 09:00 UTC: 10:00 in Berlin.
    assert "*Genehmigt* von <@U0LEI1> · Do, 26. Nov. 2026 um 10:00 Uhr" in as_fallback(text)
    # A second click is told who acted, when, in the same words.
    click(bot, "U0LEI2", last_dm(bot, "U0LEI2"), ids.A_APPROVE, name="late")
    [reply] = replies(bot, "late")
    assert "<@U0LEI1> hat bereits gehandelt (gestern um 09:10; Stand:" in as_slack_shows(
        reply, "gestern"
    )
    assert "(Do, 26. Nov. 2026 um 10:00 Uhr; Stand:" in as_fallback(reply)


# --- 5. grammar and wording ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "n", "expected"),
    [
        ("de", 0, "Keine Anfrage wartet auf eine Entscheidung."),
        ("de", 1, "1 Anfrage wartet auf eine Entscheidung."),
        ("de", 3, "3 Anfragen warten auf eine Entscheidung."),
        ("en", 0, "No request is waiting for a decision."),
        ("en", 1, "1 request is waiting for a decision."),
        ("en", 3, "3 requests are waiting for a decision."),
    ],
)
def test_the_digest_counts_in_singular_and_plural(lang, n, expected):
    digest = Digest(today=date(2026, 11, 30), weeks=[(date(2026, 11, 30), [])], pending=n)
    [message] = digest_messages(digest, DIR, lang)
    assert expected in blocks_text(message["blocks"])
    assert digest_text(digest, DIR, lang).endswith(expected)


def test_no_text_hedges_its_plural():
    for key, entry in TEXTS.items():
        for lang, text in entry.items():
            assert "(n)" not in text and "(s)" not in text and "(en)" not in text, (key, lang)


@pytest.mark.parametrize(
    ("names", "lang", "expected"),
    [
        (["@a"], "de", "@a"),
        (["@a", "@b"], "de", "@a und @b"),
        (["@a", "@b", "@c"], "de", "@a, @b und @c"),
        (["@a", "@b", "@c"], "en", "@a, @b and @c"),
        ([], "en", ""),
    ],
)
def test_lists_of_people_end_with_and(names, lang, expected):
    assert join_names(names, lang) == expected


def test_the_introduction_and_the_escalation_list_people_with_und():
    named = [("bremen", ["U0EXP1", "U0EXP2", "U0EXP3"], "U0BRE3")]
    intro = messages.introduction(summary(), DIR, "de", named)
    assert "<@U0EXP1>, <@U0EXP2> und <@U0EXP3>" in blocks_text(intro["blocks"])
    escalation = messages.escalation(summary(status="submitted"), DIR, "en", 5)
    assert "<@U0LEI1> and <@U0LEI2>" in blocks_text(escalation["blocks"])


def test_the_role_is_called_koordination_throughout():
    for key, entry in TEXTS.items():
        assert "Koordinator/in" not in entry["de"], key
    assert "Koordination" in report_refused("de")["text"]


def _home_with(*mine: Summary, lang: str = "de") -> str:
    data = HomeData(
        mine=list(mine),
        mine_total=len(mine),
        to_decide=[],
        to_decide_total=0,
        to_name=[],
        upcoming=[],
        upcoming_total=0,
    )
    return blocks_text(home.home_view(data, DIR, lang)["blocks"])


def test_home_does_not_say_closed_twice():
    text = _home_with(
        summary(id=1, status="declined"),
        summary(id=2, status="cancelled"),
        summary(id=3, status="completed"),
    )
    assert "_Abgelehnt_\n" in text + "\n" and "_Zurückgezogen_" in text
    assert "abgeschlossen" not in text.replace("_Abgeschlossen_", "")
    assert "_Abgeschlossen_ – danke für Ihre Teilnahme!" in text


@pytest.mark.parametrize(
    ("lang", "amount", "limit"),
    [("de", "1.250,50 €", "99.999,99 €"), ("en", "€1,250.50", "€99,999.99")],
)
def test_money_reads_the_same_in_summary_and_form_errors(lang, amount, limit):
    assert amount in blocks_text(messages.summary_blocks(summary(), DIR, lang))
    errors = views.form_errors([Problem("cost_eur", "err.cost_too_high", {"max": COST_MAX})], lang)
    assert limit in errors[ids.B_COST]


def test_the_dry_run_digest_is_plain_text():
    typed = summary(title="Schule & Stadtteil *gemeinsam*")
    digest = Digest(today=date(2026, 11, 30), weeks=[(date(2026, 12, 7), [typed])], pending=1)
    text = digest_text(digest, DIR, "de")
    assert "  - #7 Schule & Stadtteil *gemeinsam*" in text
    assert "&amp;" not in text and ":hourglass" not in text


def test_english_reads_naturally_and_keeps_the_brand():
    en = {key: entry.get("en", "") for key, entry in TEXTS.items()}
    assert "pays the travel" not in en["field.cost.hint"]
    assert en["direction.invite"] == "We invite experts to our city"
    assert "Coaching + Reflexion" in en["home.title"] and "Reflection" not in en["home.title"]
    help_en = messages.help_message("en")["text"]
    assert "C+R-Anfrage stellen (file a C+R request)" in help_en
    assert "Coaching + Reflexion" in help_en
    assert "koopstadt" not in TEXTS["field.cost.hint"]["de"]  # the network is configurable
