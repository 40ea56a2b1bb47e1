"""Issue 21, the ends left open: no withdrawal after the exchange; every coordinator may
mark a lapsed request as having taken place (and the report counts it, decided or not);
naming follow-ups keep the holidays of the cities asked; lapse DMs wait for working hours
while the buttons close at once; digest and search show the status as of the day; a lapsed
request gets new dates. What people read, in German and English, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.entry.scheduler import digest_job, remind_job
from bot.slack import ids
from bot.usecases.report import yearly_report
from models import AuditEntry, ExchangeRequest
from tests import payloads as p
from tests.conftest import DIRECTORY, Clock, running_bot
from tests.flows import blocks_text, buttons, click, dms_to, replies, submit_opened
from tests.seed import seed
from tests.test_holidays import holiday_bot, run_hourly  # noqa: F401  (the fixture)
from tests.test_lapse import run_days, status_of, updates_of
from tests.test_search import run_search

BERLIN = ZoneInfo("Europe/Berlin")
TWO_COORDINATORS = DIRECTORY.replace(
    'coordinators = ["U0COORD1"]', 'coordinators = ["U0COORD1", "U0COORD2"]'
)
CHANNEL = "C0DIGEST"


def berlin(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def coord_bot(fake_slack, database_url, tmp_path: Path) -> Iterator:
    """Two coordinators (the second reads English); the digest on Mondays and Thursdays."""
    path = tmp_path / "directory.toml"
    path.write_text(TWO_COORDINATORS, encoding="utf-8")
    fake_slack.set_user("U0COORD2", email="coord2@koopstadt.org", locale="en-US")
    with running_bot(
        fake_slack,
        database_url,
        path,
        Clock(berlin(2026, 11, 26)),
        CR_DIGEST_CHANNEL=CHANNEL,
        CR_DIGEST_SCHEDULE="mon,thu 09:00",
    ) as bot:
        yield bot


def home_of(bot, user: str) -> dict:
    status, _ = bot.http.event(p.app_home_opened(user_id=user))
    assert status == 200
    published = [c for c in bot.slack.delivered("views.publish") if c.params["user_id"] == user]
    return published[-1].params["view"]


def home_buttons(view: dict, action_id: str) -> list[dict]:
    return [
        element
        for block in view["blocks"]
        if block.get("type") == "actions"
        for element in block["elements"]
        if element.get("action_id") == action_id
    ]


def click_home(bot, user: str, element: dict, name: str = "home") -> None:
    status, _ = bot.http.click(
        action_id=element["action_id"],
        value=element["value"],
        user_id=user,
        container_type="view",
        view={"id": f"VHOME{user}", "hash": "1", "type": "home", "blocks": []},
        response_url=bot.slack.response_url(name),
    )
    assert status == 200


# --- 1: no withdrawal after the exchange's last day ---------------------------------------

WITHDRAW_OVER = {
    "de": ":information_source: Der Austausch #{id} ist schon vorbei (sein letzter Tag ist "
    "verstrichen) – zurückziehen lässt er sich nicht mehr.",
    "en": ":information_source: Exchange #{id} is already over (its last day has passed) – it "
    "can no longer be withdrawn.",
}


@pytest.mark.parametrize("lang", ["de", "en"])
def test_an_exchange_cannot_be_withdrawn_after_its_last_day(bot, lang):
    if lang == "en":
        bot.services.remember_language("U0REQ1", "en-US")
    request_id = seed(bot, state="matched")  # Mon 7 – Wed 9 Dec
    confirmation = next(
        m for m in dms_to(bot, "U0REQ1") if ids.A_CANCEL in buttons(m.params["blocks"])
    )
    sent = len(bot.slack.delivered("chat.postMessage"))

    bot.clock.now = berlin(2026, 12, 10)  # the day after its last day
    click(bot, "U0REQ1", confirmation, ids.A_CANCEL, name="late")
    click(bot, "U0COORD1", confirmation, ids.A_CANCEL, name="coord")

    [said] = replies(bot, "late")
    assert said.startswith(WITHDRAW_OVER[lang].format(id=request_id))
    assert replies(bot, "coord")[0].startswith(WITHDRAW_OVER["de"].format(id=request_id))
    assert status_of(bot, request_id) == "matched"
    assert len(bot.slack.delivered("chat.postMessage")) == sent  # nobody was told anything
    with bot.session_factory() as s:
        actions = s.exec(select(AuditEntry.action).where(AuditEntry.request_id == request_id))
        assert "cancel" not in list(actions)

    # On its last day it still could be.
    other = seed(bot, state="matched", date_from=date(2026, 12, 14), date_to=date(2026, 12, 14))
    bot.clock.now = berlin(2026, 12, 14, 17)
    mine = [m for m in dms_to(bot, "U0REQ1") if ids.A_CANCEL in buttons(m.params["blocks"])]
    click(bot, "U0REQ1", mine[-1], ids.A_CANCEL, name="in_time")
    assert replies(bot, "in_time") == []
    assert status_of(bot, other) == "cancelled"


# --- 2: every coordinator may mark a lapsed request as having taken place ---------------


def test_any_coordinator_marks_a_lapsed_undecided_request_from_home_and_the_report_counts_it(
    coord_bot,
):
    bot = coord_bot
    # Filed Thu 26 Nov, first day Tue 1 Dec: the contacts are reminded on Monday, nobody
    # escalates before the first day; no coordinator holds a message about it.
    request_id = seed(
        bot, state="submitted", date_from=date(2026, 12, 1), date_to=date(2026, 12, 1)
    )
    run_days(bot, date(2026, 11, 27), date(2026, 12, 1))
    assert status_of(bot, request_id) == "lapsed"
    assert dms_to(bot, "U0COORD1") == [] and dms_to(bot, "U0COORD2") == []

    # Both coordinators' Homes list it, with the button; nobody else's.
    view = home_of(bot, "U0COORD2")
    text = blocks_text(view["blocks"])
    assert "Did not take place" in text
    assert "If one of these exchanges took place after all, mark it as matched" in text
    assert f"#{request_id} Austausch" in text
    [took_place] = home_buttons(view, ids.A_MARK_MATCHED)
    assert took_place["text"]["text"] == "Took place after all: mark as matched"
    assert took_place["accessibility_label"] == (
        f"Request #{request_id} took place after all: mark as matched"
    )
    [other] = home_buttons(home_of(bot, "U0COORD1"), ids.A_MARK_MATCHED)
    assert other["accessibility_label"] == (
        f"Anfrage #{request_id} hat doch stattgefunden: als vermittelt markieren"
    )
    assert "Nicht zustande gekommen" in blocks_text(home_of(bot, "U0COORD1")["blocks"])
    for user in ("U0LEI1", "U0REQ1"):
        assert home_buttons(home_of(bot, user), ids.A_MARK_MATCHED) == []

    # A contact's click on the same button changes nothing.
    opened = len(bot.slack.delivered("views.open"))
    click_home(bot, "U0LEI1", took_place, name="contact")
    [notice] = bot.slack.delivered("views.open")[opened:]
    assert blocks_text(notice.params["view"]["blocks"]) == (
        ":no_entry: Das kann nur die Koordination des Netzwerks."
    )
    assert status_of(bot, request_id) == "lapsed"

    click_home(bot, "U0COORD2", took_place, name="coord")
    assert len(bot.slack.delivered("views.open")) == opened + 1  # no refusal
    assert status_of(bot, request_id) == "matched"
    assert dms_to(bot, "U0REQ1")[-1].params["text"] == (
        f"Ihr Austausch #{request_id} hat doch stattgefunden: <@U0COORD2> hat ihn als "
        "vermittelt markiert. Nach dem letzten Tag bitten wir Sie um Ihre Reflexion und die "
        "tatsächlichen Reisekosten."
    )
    # The other coordinator's Home no longer offers it.
    assert home_buttons(home_of(bot, "U0COORD1"), ids.A_MARK_MATCHED) == []
    with bot.session_factory() as s:
        request = s.get(ExchangeRequest, request_id)
        assert request.decided_by is None  # never decided: it lapsed undecided
    # The report counts it as an exchange, not as lapsed.
    report = yearly_report(bot.session_factory, 2026, tz=BERLIN, today=date(2026, 12, 2))
    assert (report.exchanges, report.lapsed, report.travellers) == (1, 0, 2)
    assert report.by_city_pair == {("leipzig", "bremen"): 1}


def test_the_lapse_dm_of_a_coordinator_carries_an_accessibility_label(coord_bot):
    bot = coord_bot
    request_id = seed(
        bot, state="submitted", date_from=date(2026, 12, 4), date_to=date(2026, 12, 4)
    )
    run_days(bot, date(2026, 11, 27), date(2026, 12, 4))  # escalated Thu 3 Dec, lapsed Fri
    assert status_of(bot, request_id) == "lapsed"
    for user, label in (
        ("U0COORD1", f"Anfrage #{request_id} hat doch stattgefunden: als vermittelt markieren"),
        ("U0COORD2", f"Request #{request_id} took place after all: mark as matched"),
    ):
        told = dms_to(bot, user)[-1]
        elements = [
            e
            for block in told.params["blocks"]
            if block.get("type") == "actions"
            for e in block["elements"]
        ]
        assert [e["action_id"] for e in elements] == [ids.A_MARK_MATCHED, ids.A_HISTORY_OPEN]
        assert elements[0]["accessibility_label"] == label


# --- 3: naming follow-ups keep the holidays of the cities asked --------------------------


def test_a_naming_reminder_waits_for_a_working_day_in_the_city_asked(holiday_bot):  # noqa: F811
    """Both approved Monday 4 Jan 2027, 10:00: due 2 working days later. Wednesday 6 Jan is
    Epiphany in Nürnberg (Bavaria), a working day in Bremen: Bremen's naming contact is
    reminded on Wednesday, Nürnberg's on Thursday."""
    bot = holiday_bot
    bot.clock.now = berlin(2027, 1, 4, 10)
    later = {"date_from": date(2027, 2, 1), "date_to": date(2027, 2, 2)}  # no lapse before
    nue = seed(bot, partners=("nuernberg",), title="Nach Nürnberg", **later)
    bre = seed(bot, partners=("bremen",), title="Nach Bremen", **later)

    received = run_hourly(bot, remind_job, berlin(2027, 1, 4, 11), berlin(2027, 1, 8, 12))

    reminders = [(when, who, text) for when, who, text in received if "Erinnerung" in text]
    assert reminders == [
        (
            datetime(2027, 1, 6, 10),
            "U0BRE3",
            "Erinnerung: Expert/innen von Bremen fehlen seit 2 Arbeitstagen – bitte benennen: "
            f"#{bre} Nach Bremen (Leipzig → Bremen)",
        ),
        (
            datetime(2027, 1, 7, 10),
            "U0NUE1",
            "Erinnerung: Expert/innen von Nürnberg fehlen seit 2 Arbeitstagen – bitte "
            f"benennen: #{nue} Nach Nürnberg (Leipzig → Nürnberg)",
        ),
    ]
    [reminder] = [m for m in dms_to(bot, "U0NUE1") if "Erinnerung" in m.params["text"]]
    assert ids.A_NAME_EXPERTS in buttons(reminder.params["blocks"])


# --- 4: a lapse closes the buttons at once; the news waits for working hours -------------


@pytest.mark.parametrize(
    ("now", "holidays", "expected"),
    [
        (datetime(2027, 1, 5, 12), (), datetime(2027, 1, 5, 12)),  # Tuesday noon: now
        (datetime(2027, 1, 5, 19), (), datetime(2027, 1, 6, 8)),  # evening: next morning
        (datetime(2027, 1, 6, 0), (), datetime(2027, 1, 6, 8)),  # night: this morning
        (datetime(2027, 1, 6, 0), (date(2027, 1, 6),), datetime(2027, 1, 7, 8)),  # holiday
        (datetime(2027, 1, 8, 18), (), datetime(2027, 1, 11, 8)),  # Friday 18:00: Monday
    ],
)
def test_the_next_working_moment(now, holidays, expected):
    from bot.domain.schedule import WORKING_HOURS, Holidays, next_working_moment

    found = next_working_moment(
        now.replace(tzinfo=BERLIN), WORKING_HOURS, BERLIN, Holidays(frozenset(holidays))
    )
    assert found == expected.replace(tzinfo=BERLIN)


def _lapsing_on_epiphany(bot) -> tuple[int, object]:
    """Approved Mon 4 Jan 2027 for Bremen and Nürnberg, first day Wed 6 Jan (Epiphany in
    Nürnberg, a working day in Leipzig and Bremen); Bremen named its expert, Nürnberg not.
    Returns the request and Nürnberg's naming message."""
    bot.clock.now = berlin(2027, 1, 4, 10)
    request_id = seed(
        bot,
        partners=("bremen", "nuernberg"),
        title="Dreikönig",
        date_from=date(2027, 1, 6),
        date_to=date(2027, 1, 6),
    )
    naming = dms_to(bot, "U0NUE1")[-1]
    assert ids.A_NAME_EXPERTS in buttons(naming.params["blocks"])
    from tests.test_conversation_notifications import name

    name(bot, "U0BRE3", ["U0EXP1"])
    return request_id, naming


def test_a_lapse_at_midnight_closes_the_buttons_and_tells_people_in_their_working_hours(
    holiday_bot,  # noqa: F811
):
    bot = holiday_bot
    request_id, naming = _lapsing_on_epiphany(bot)

    at_night = run_hourly(bot, remind_job, berlin(2027, 1, 5, 23), berlin(2027, 1, 6, 0))

    assert status_of(bot, request_id) == "lapsed"
    assert at_night == []  # nobody is woken
    closed = updates_of(bot, naming)[-1].params  # but the button is gone at once
    assert buttons(closed["blocks"]) == {}
    assert "Nicht zustande gekommen" in blocks_text(closed["blocks"])

    received = run_hourly(bot, remind_job, berlin(2027, 1, 6, 1), berlin(2027, 1, 7, 12))

    told = {who: (when, text) for when, who, text in received}
    assert set(told) == {"U0REQ1", "U0BRE3", "U0EXP1", "U0NUE1", "U0COORD1"}
    # Leipzig and Bremen work on 6 Jan, and so does the network (the coordinators).
    for user in ("U0REQ1", "U0BRE3", "U0EXP1", "U0COORD1"):
        assert told[user][0] == datetime(2027, 1, 6, 8), user
    assert told["U0NUE1"][0] == datetime(2027, 1, 7, 8)  # Nürnberg keeps Epiphany
    assert told["U0REQ1"][1] == (
        f"Ihre Anfrage #{request_id} Dreikönig ist nicht zustande gekommen: am ersten Tag "
        "(Mi, 6. Jan. 2027) fehlten die Expert/innen von Nürnberg. Soll sie noch stattfinden, "
        "stellen Sie bitte eine neue Anfrage."
    )
    assert told["U0NUE1"][1] == (
        f"Nicht zustande gekommen: #{request_id} Dreikönig (Leipzig → Bremen, Nürnberg) – am "
        "ersten Tag (Mi, 6. Jan. 2027) fehlten die Expert/innen von Nürnberg. Für Sie ist "
        "nichts mehr zu tun."
    )
    assert len(received) == 5  # once each


def test_news_of_a_lapse_still_held_is_dropped_when_it_took_place_after_all(
    holiday_bot,  # noqa: F811
):
    bot = holiday_bot
    request_id, _ = _lapsing_on_epiphany(bot)
    run_hourly(bot, remind_job, berlin(2027, 1, 6, 0), berlin(2027, 1, 6, 0))
    assert status_of(bot, request_id) == "lapsed"

    bot.clock.now = berlin(2027, 1, 6, 7)  # before anybody was told, a coordinator marks it
    [took_place] = home_buttons(home_of(bot, "U0COORD1"), ids.A_MARK_MATCHED)
    click_home(bot, "U0COORD1", took_place)
    assert status_of(bot, request_id) == "matched"
    assert (
        dms_to(bot, "U0REQ1")[-1]
        .params["text"]
        .startswith(f"Ihr Austausch #{request_id} hat doch stattgefunden: <@U0COORD1>")
    )

    received = run_hourly(bot, remind_job, berlin(2027, 1, 6, 8), berlin(2027, 1, 7, 12))

    assert not [r for r in received if "zustande" in r[2]], received


# --- 5: digest and search show the status as of the day ----------------------------------


def test_search_shows_the_status_as_of_the_day(coord_bot):
    bot = coord_bot
    held = seed(bot, state="matched", title="Stationen am Bahnhof")  # 7 – 9 Dec
    # Anna's own, approved, first day Thu 10 Dec, Nürnberg never named: the job has not run.
    unready = seed(
        bot,
        partners=("nuernberg",),
        title="Stationen im Quartier",
        date_from=date(2026, 12, 10),
        date_to=date(2026, 12, 11),
    )

    bot.clock.now = berlin(2026, 12, 8)
    during = blocks_text(run_search(bot, "U0REQ1", "Stationen", name="during")["blocks"])
    assert f"*#{held} Stationen am Bahnhof* · _Vermittelt_" in during
    assert f"*#{unready} Stationen im Quartier* · _Genehmigt – Expert/innen werden gesucht_" in (
        during
    )

    bot.clock.now = berlin(2026, 12, 10, 7)  # before any job of the day
    after = blocks_text(run_search(bot, "U0REQ1", "Stationen", name="after")["blocks"])
    assert f"*#{held} Stationen am Bahnhof* · _Austausch vorbei – wartet auf Reflexion_" in after
    assert f"*#{unready} Stationen im Quartier* · _Nicht zustande gekommen_" in after
    assert "Vermittelt" not in after and "Genehmigt" not in after
    bot.slack.set_user("U0REQ2", email="ben@bremen.de", locale="en-US")
    other = blocks_text(run_search(bot, "U0REQ2", "Stationen", name="en")["blocks"])
    assert f"*#{held} Stationen am Bahnhof* · _Exchange over – waiting for reflection_" in other
    assert f"#{unready}" not in other  # somebody else's, not agreed: never shown


def test_the_digest_leaves_out_what_did_not_take_place_before_the_job_marks_it(coord_bot):
    bot = coord_bot
    # Monday 14 Dec: #a approved and unnamed, #b undecided, both from today; #c undecided from
    # the 21st; #d matched for 15 – 16 Dec. The digest goes out at 09:00, before `remind`.
    days = {"date_from": date(2026, 12, 14), "date_to": date(2026, 12, 18)}
    a = seed(bot, partners=("nuernberg",), title="Ohne Namen", **days)
    b = seed(bot, state="submitted", title="Unentschieden", **days)
    later = {"date_from": date(2026, 12, 21), "date_to": date(2026, 12, 21)}
    seed(bot, state="submitted", title="Später", **later)
    d = seed(
        bot,
        state="matched",
        title="Vermittelt",
        date_from=date(2026, 12, 15),
        date_to=date(2026, 12, 16),
    )

    bot.clock.now = berlin(2026, 12, 14, 9)
    digest_job(bot.services)
    [digest] = [
        c for c in bot.slack.delivered("chat.postMessage") if c.params["channel"] == CHANNEL
    ]
    text = blocks_text(digest.params["blocks"])
    assert f"#{d} Vermittelt" in text
    assert f"#{a} Ohne Namen" not in text and "Noch ohne Expert/innen" not in text
    assert f"#{b} Unentschieden" not in text
    assert "1 Anfrage wartet auf eine Entscheidung." in text
    assert status_of(bot, a) == "approved"  # the job has not run yet


# --- 6: a request that lapsed undecided gets new dates -----------------------------------


def _dates(first: str, last: str) -> dict:
    return {
        ids.B_DATE_FROM: {ids.VALUE: p.date_value(first)},
        ids.B_DATE_TO: {ids.VALUE: p.date_value(last)},
    }


def test_a_request_that_lapsed_undecided_gets_new_dates_and_is_decided_anew(coord_bot):
    bot = coord_bot
    # Undecided: reminded Monday, escalated Thursday to both coordinators, lapses Friday 4 Dec.
    request_id = seed(
        bot,
        state="submitted",
        title="Winterschule",
        date_from=date(2026, 12, 4),
        date_to=date(2026, 12, 4),
    )
    run_days(bot, date(2026, 11, 27), date(2026, 12, 4))
    assert status_of(bot, request_id) == "lapsed"
    lapse_dm = dms_to(bot, "U0REQ1")[-1]
    assert lapse_dm.params["text"].endswith(
        "Soll sie noch stattfinden, geben Sie ihr neue Daten oder stellen Sie eine neue Anfrage."
    )
    assert "geben Sie ihr hier neue Daten – dann entscheiden die Ansprechpartner/innen erneut" in (
        blocks_text(lapse_dm.params["blocks"])
    )
    # Both ways back in one row: new dates for this request first, or file it again.
    [button, again] = [
        e
        for block in lapse_dm.params["blocks"]
        if block.get("type") == "actions"
        for e in block["elements"]
    ]
    assert (button["action_id"], button["text"]["text"]) == (
        ids.A_NEW_DATES,
        "Neue Daten eintragen",
    )
    assert (again["action_id"], again["text"]["text"]) == (ids.A_FILE_AGAIN, "Erneut einreichen")
    assert button["accessibility_label"] == f"Anfrage #{request_id}: neue Daten eintragen"
    [on_home] = home_buttons(home_of(bot, "U0REQ1"), ids.A_NEW_DATES)
    assert on_home["value"] == button["value"]
    lapsed_for = {user: dms_to(bot, user)[-1] for user in ("U0COORD1", "U0COORD2")}
    assert all(ids.A_MARK_MATCHED in buttons(m.params["blocks"]) for m in lapsed_for.values())
    decisions_before = {user: len(dms_to(bot, user)) for user in ("U0LEI1", "U0LEI2")}

    # Only the requester may: a coordinator's click opens a refusal.
    bot.clock.now = berlin(2026, 12, 4, 11)
    click(bot, "U0COORD1", lapse_dm, ids.A_NEW_DATES, name="coord")
    refused = bot.slack.delivered("views.update")[-1].params["view"]
    assert "Das kann nur <@U0REQ1>, die anfragende Person." in blocks_text(refused["blocks"])

    click(bot, "U0REQ1", lapse_dm, ids.A_NEW_DATES)
    form = bot.slack.delivered("views.update")[-1].params["view"]
    assert form["callback_id"] == ids.VIEW_NEW_DATES
    assert "liegt sie wieder bei den Ansprechpartner/innen von Leipzig zur Entscheidung" in (
        blocks_text(form["blocks"])
    )
    # Today, and a last day before the first: errors under the fields, nothing changes.
    status, body = submit_opened(bot, "U0REQ1", _dates("2026-12-04", "2026-12-03"))
    assert status == 200 and body["response_action"] == "errors"
    assert body["errors"] == {
        ids.B_DATE_FROM: "Der erste Tag muss nach heute liegen – an seinem ersten Tag käme eine "
        "unentschiedene Anfrage gleich wieder nicht zustande.",
        ids.B_DATE_TO: "Der letzte Tag liegt vor dem ersten.",
    }
    assert status_of(bot, request_id) == "lapsed"

    mine_before = len(dms_to(bot, "U0REQ1"))
    status, body = submit_opened(bot, "U0REQ1", _dates("2026-12-14", "2026-12-15"))
    assert status == 200 and not body
    assert status_of(bot, request_id) == "submitted"
    with bot.session_factory() as s:
        request = s.get(ExchangeRequest, request_id)
        assert (request.date_from, request.date_to) == (date(2026, 12, 14), date(2026, 12, 15))
    assert audit_actions(bot, request_id)[-1] == "new_dates"
    # The contacts decide anew, with the buttons.
    for user in ("U0LEI1", "U0LEI2"):
        [again] = dms_to(bot, user)[decisions_before[user] :]
        assert again.params["text"] == (
            f"Neue Daten, erneut zu entscheiden: #{request_id} Winterschule (Leipzig → Bremen) "
            "– jetzt Mo, 14. Dez. 2026 – Di, 15. Dez. 2026"
        )
        assert "(vorher Fr, 4. Dez. 2026)" in blocks_text(again.params["blocks"])
        assert ids.A_APPROVE in buttons(again.params["blocks"])
    # The coordinators' lapse messages close, and each is told in their language.
    for user, told in (
        (
            "U0COORD1",
            f"Neue Daten: #{request_id} Winterschule (Leipzig → Bremen) – jetzt Mo, "
            "14. Dez. 2026 – Di, 15. Dez. 2026, wieder zur Entscheidung bei Leipzig",
        ),
        (
            "U0COORD2",
            f"New dates: #{request_id} Winterschule (Leipzig → Bremen) – now Mon, "
            "14 Dec 2026 – Tue, 15 Dec 2026, back with Leipzig for a decision",
        ),
    ):
        assert dms_to(bot, user)[-1].params["text"] == told
        closed = updates_of(bot, lapsed_for[user])[-1].params
        assert buttons(closed["blocks"]) == {}
        assert "Neue Daten" in blocks_text(closed["blocks"]) or "New dates" in blocks_text(
            closed["blocks"]
        )
    # The requester's own button closes; she is not messaged about what she did herself.
    assert buttons(updates_of(bot, lapse_dm)[-1].params["blocks"]) == {}
    assert len(dms_to(bot, "U0REQ1")) == mine_before
    assert home_buttons(home_of(bot, "U0REQ1"), ids.A_NEW_DATES) == []
    # An old click changes nothing more.
    click(bot, "U0REQ1", lapse_dm, ids.A_NEW_DATES, name="again")
    again = bot.slack.delivered("views.update")[-1].params["view"]
    assert "Hier hat sich nichts geändert" in blocks_text(again["blocks"])

    # Decided anew: approved like any request.
    click(bot, "U0LEI1", dms_to(bot, "U0LEI1")[-1], ids.A_APPROVE, name="approve")
    assert replies(bot, "approve") == []
    assert status_of(bot, request_id) == "approved"


def test_a_request_that_lapsed_after_its_approval_offers_no_new_dates(coord_bot):
    bot = coord_bot
    request_id = seed(bot, date_from=date(2026, 12, 1), date_to=date(2026, 12, 1))
    run_days(bot, date(2026, 11, 27), date(2026, 12, 1))
    assert status_of(bot, request_id) == "lapsed"
    told = dms_to(bot, "U0REQ1")[-1]
    assert "nicht zustande gekommen" in told.params["text"]
    assert ids.A_NEW_DATES not in buttons(told.params["blocks"])
    assert home_buttons(home_of(bot, "U0REQ1"), ids.A_NEW_DATES) == []
    # Its old value, clicked from Home, is refused: it was approved for those dates.
    value = f"{request_id}:{3}"
    opened = len(bot.slack.delivered("views.open"))
    click_home(bot, "U0REQ1", {"action_id": ids.A_NEW_DATES, "value": value})
    shown = bot.slack.delivered("views.update")[-1].params["view"]
    assert len(bot.slack.delivered("views.open")) == opened + 1
    assert (
        f"Die Anfrage #{request_id} war schon genehmigt – für andere Daten stellen Sie bitte eine "
        "neue Anfrage"
    ) in blocks_text(shown["blocks"])
    assert status_of(bot, request_id) == "lapsed"


# --- helpers shared with the tests below ----------------------------------------------


def audit_actions(bot, request_id: int) -> list[str]:
    with bot.session_factory() as s:
        return list(
            s.exec(
                select(AuditEntry.action)
                .where(AuditEntry.request_id == request_id)
                .order_by(col(AuditEntry.id))
            )
        )


__all__ = ["audit_actions", "click_home", "home_buttons", "home_of", "updates_of"]
