"""The joint reflection: both sides asked, the summary in the group DM as far as each
shared, the day-45 question and its count, the daily lessons post, and what purge keeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.entry.scheduler import reflect_job
from bot.render.report import report_csv
from bot.slack import ids
from bot.usecases import lifecycle, search
from bot.usecases.report import yearly_report
from models import FollowUp, Reflection
from tests import payloads as p
from tests.conftest import Clock, running_bot
from tests.flows import blocks_text, buttons, click, dms_to, submit_opened
from tests.seed import seed

BERLIN = ZoneInfo("Europe/Berlin")
CHANNEL = "C0DIGEST"


def berlin(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def rbot(fake_slack, database_url, directory_file) -> Iterator:
    clock = Clock(berlin(2026, 11, 26))
    with running_bot(
        fake_slack, database_url, directory_file, clock, CR_DIGEST_CHANNEL=CHANNEL
    ) as bot:
        yield bot


def prompted(bot) -> int:
    request_id = seed(
        bot,
        state="matched",
        title="Stationen",
        date_from=date(2026, 12, 7),
        date_to=date(2026, 12, 9),
    )
    bot.clock.now = berlin(2026, 12, 10)
    reflect_job(bot.services)
    return request_id


def reflect_on(bot, user: str, *, share: str, worked: str, will_apply: str = "", rating: str = "4"):
    [prompt] = [c for c in dms_to(bot, user) if ids.A_REFLECT in buttons(c.params["blocks"])]
    click(bot, user, prompt, ids.A_REFLECT)
    opened = bot.slack.delivered("views.open")[-1].params["view"]
    shown = [b.get("block_id") for b in opened["blocks"]]
    assert ids.B_WILL_APPLY in shown and ids.B_SHARE in shown
    values = {
        ids.B_WORKED: {ids.VALUE: p.text_value(worked)},
        ids.B_NOT_WORKED: {ids.VALUE: p.text_value("Zu wenig Zeit")},
        ids.B_WILL_APPLY: {ids.VALUE: p.text_value(will_apply)},
        ids.B_RECOMMEND: {ids.VALUE: p.radio_value("yes")},
        ids.B_RATING: {ids.VALUE: p.radio_value(rating)},
        ids.B_SHARE: {ids.VALUE: p.radio_value(share)},
    }
    status, body = submit_opened(bot, user, values)
    assert status == 200 and not body


def _joint(bot) -> list:
    groups = [c for c in bot.slack.delivered("conversations.open") if "," in c.params["users"]]
    channels = {c.response["channel"]["id"] for c in groups}
    return [
        c
        for c in bot.slack.delivered("chat.postMessage")
        if c.params["channel"] in channels and "Gemeinsame Reflexion" in c.params["text"]
    ]


def test_both_sides_are_asked_and_the_summary_shows_what_each_shared_side_by_side(rbot):
    bot = rbot
    request_id = prompted(bot)
    assert _joint(bot) == []

    reflect_on(bot, "U0REQ1", share="participants", worked="Der Rundgang", will_apply="Standorte")
    assert _joint(bot) == []  # the expert has not answered yet
    reflect_on(bot, "U0EXP1", share="report", worked="Geheim: die Haushaltslage")

    [summary] = _joint(bot)
    assert summary.params["text"] == f"Gemeinsame Reflexion zu #{request_id} Stationen"
    text = blocks_text(summary.params["blocks"])
    assert "<@U0REQ1> · Bewertung 4/5" in text
    assert "Gut:_ Der Rundgang" in text and "Wird angewendet:_ Standorte" in text
    assert "Haushaltslage" not in text and "<@U0EXP1>" not in text  # shared for the report only
    [fields] = [b for b in summary.params["blocks"] if "fields" in b]
    assert fields["fields"][0]["text"].startswith("*Leipzig*")


def test_both_cities_side_by_side_and_after_14_days_with_what_is_there(rbot):
    bot = rbot
    prompted(bot)
    reflect_on(bot, "U0EXP1", share="participants", worked="Neugierige Fragen")
    reflect_job(bot.services)
    assert _joint(bot) == []  # the requester may still answer

    bot.clock.now = berlin(2026, 12, 23)  # 14 days after the end
    reflect_job(bot.services)
    reflect_job(bot.services)

    [summary] = _joint(bot)
    text = blocks_text(summary.params["blocks"])
    assert "*Bremen*\n<@U0EXP1> · Bewertung 4/5" in text
    assert "1 von 2 haben geantwortet" in text


def test_two_columns_when_both_shared(rbot):
    bot = rbot
    prompted(bot)
    reflect_on(bot, "U0REQ1", share="network", worked="Eins")
    reflect_on(bot, "U0EXP1", share="participants", worked="Zwei")
    [summary] = _joint(bot)
    [fields] = [b for b in summary.params["blocks"] if "fields" in b]
    columns = [f["text"].split("\n")[0] for f in fields["fields"]]
    assert columns == ["*Leipzig*", "*Bremen*"]


def test_day_45_question_once_and_its_count_in_the_report(rbot):
    bot = rbot
    request_id = prompted(bot)
    reflect_on(bot, "U0REQ1", share="report", worked="Gut")
    bot.clock.now = berlin(2027, 1, 22)  # 44 days after the end
    reflect_job(bot.services)
    assert not [c for c in dms_to(bot, "U0REQ1") if ids.A_FOLLOW_UP in buttons(c.params["blocks"])]

    bot.clock.now = berlin(2027, 1, 25)  # Monday, 47 days after (45 was a Saturday)
    reflect_job(bot.services)
    reflect_job(bot.services)

    [question] = [
        c for c in dms_to(bot, "U0REQ1") if ids.A_FOLLOW_UP in buttons(c.params["blocks"])
    ]
    assert question.params["text"] == f"#{request_id} Stationen: Haben Sie etwas davon umgesetzt?"
    assert "*Haben Sie etwas davon umgesetzt?*" in blocks_text(question.params["blocks"])
    values = [
        e["value"]
        for b in question.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert values == [f"{request_id}:yes", f"{request_id}:partly", f"{request_id}:not_yet"]

    click(bot, "U0EXP1", question, ids.A_FOLLOW_UP, value=f"{request_id}:yes")
    assert "anfragende Person" in blocks_text(
        bot.slack.delivered("views.update")[-1].params["view"]["blocks"]
    )
    click(bot, "U0REQ1", question, ids.A_FOLLOW_UP, value=f"{request_id}:partly")
    opened = bot.slack.delivered("views.open")[-1].params["view"]
    assert opened["callback_id"] == ids.VIEW_FOLLOW_UP
    [radio] = [b for b in opened["blocks"] if b.get("block_id") == ids.B_FOLLOW_UP]
    assert radio["element"]["initial_option"]["value"] == "partly"
    status, body = submit_opened(
        bot,
        "U0REQ1",
        {
            ids.B_FOLLOW_UP: {ids.VALUE: p.radio_value("partly")},
            ids.B_NOTE: {ids.VALUE: p.text_value("Zwei Standorte geplant")},
        },
    )
    assert status == 200 and body["response_action"] == "update"
    assert f"Ihre Antwort zu #{request_id}: Teilweise" in blocks_text(body["view"]["blocks"])
    with bot.session_factory() as s:
        [answer] = s.exec(select(FollowUp)).all()
    assert (answer.answer, answer.note) == ("partly", "Zwei Standorte geplant")

    report = yearly_report(bot.session_factory, 2026, tz=BERLIN)
    assert report.follow_ups == {"yes": 0, "partly": 1, "not_yet": 0}
    assert report.shared == {"report": 1, "participants": 0, "network": 0}
    csv = report_csv(report)
    assert "Umgesetzt? (45 Tage nach dem Austausch)\r\nAntwort;Antworten\r\nJa;0\r\n" in csv
    assert "Teilweise;1" in csv


def test_lessons_shared_with_the_network_are_posted_once_a_day_grouped(rbot):
    bot = rbot
    request_id = prompted(bot)
    reflect_on(
        bot, "U0REQ1", share="network", worked="Vor Ort sehen", will_apply="Standorte wählen"
    )
    reflect_on(bot, "U0EXP1", share="participants", worked="Nur für uns")

    def posts() -> list:
        return [
            c
            for c in bot.slack.delivered("chat.postMessage")
            if c.params["channel"] == CHANNEL and "Aus der Reflexion" in c.params["text"]
        ]

    reflect_job(bot.services)
    reflect_job(bot.services)

    [post] = posts()
    assert post.params["text"] == "Aus der Reflexion: 1 neue Erkenntnis aus dem Netzwerk"
    text = blocks_text(post.params["blocks"])
    assert f"*#{request_id} Stationen* · Leipzig → Bremen" in text
    labelled = (
        "> _Wird angewendet:_ Standorte wählen · _Gut:_ Vor Ort sehen · "
        "_Weniger gut:_ Zu wenig Zeit"
    )
    assert labelled in text and "Nur für uns" not in text
    # Search finds the exchange by its shared lesson.
    found = search.search(bot.session_factory, "U0REQ2", "Standorte")
    assert [h.request.id for h in found.hits] == [request_id]

    other = seed(bot, state="matched", date_from=date(2026, 12, 14), date_to=date(2026, 12, 15))
    bot.clock.now = berlin(2026, 12, 16)
    reflect_job(bot.services)  # prompts for the second exchange
    [prompt] = [
        c
        for c in dms_to(bot, "U0REQ1")
        if buttons(c.params["blocks"]).get(ids.A_REFLECT, "").startswith(f"{other}:")
    ]
    click(bot, "U0REQ1", prompt, ids.A_REFLECT)
    submit_opened(
        bot,
        "U0REQ1",
        {
            ids.B_WORKED: {ids.VALUE: p.text_value("Gute Moderation")},
            ids.B_RECOMMEND: {ids.VALUE: p.radio_value("yes")},
            ids.B_RATING: {ids.VALUE: p.radio_value("5")},
            ids.B_SHARE: {ids.VALUE: p.radio_value("network")},
        },
    )
    reflect_job(bot.services)
    assert len(posts()) == 2 and "Gute Moderation" in blocks_text(posts()[-1].params["blocks"])
    assert "Vor Ort sehen" not in blocks_text(posts()[-1].params["blocks"])  # posted before


def test_purge_keeps_lessons_for_the_network_without_the_name(rbot):
    bot = rbot
    prompted(bot)
    reflect_on(bot, "U0REQ1", share="network", worked="Vor Ort sehen")
    reflect_on(bot, "U0EXP1", share="participants", worked="Nur für uns")

    lifecycle.purge(bot.session_factory, timedelta(days=30), now=bot.clock() + timedelta(days=400))

    with bot.session_factory() as s:
        rows = {r.worked: r.user_id for r in s.exec(select(Reflection)).all()}
    assert set(rows) == {"Vor Ort sehen", None}
    assert rows["Vor Ort sehen"].startswith("purged")
    [hit] = search.search(bot.session_factory, "U0REQ2", "Vor Ort").hits
    assert hit.request.title == "" and hit.lessons[0].user_id is None
