"""Public holidays per city (issue 21, finding 7): working days, working hours and every
prompt, reminder and escalation keep the holidays of the city of whoever is asked (the
network's for the coordinators), from the directory file's `holidays` codes.

Nürnberg keeps Bavaria's (DE-BY), Bremen its own (DE-HB), Leipzig Saxony's (DE-SN):
6 Jan 2027 and 1 Nov 2027 are holidays in Nürnberg, working days in Bremen; 31 Oct 2028
the other way round; 25 and 26 December everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import (
    WORKING_HOURS,
    Holidays,
    add_working_days,
    within_working_hours,
)
from bot.entry.scheduler import reflect_job, remind_job
from bot.infra.directory_file import check_directory, parse_directory
from bot.infra.holidays import holiday_calendars
from bot.slack import ids
from bot.usecases.directory import load_directory, sync_directory
from tests.conftest import DIRECTORY, NOW, running_bot
from tests.flows import buttons
from tests.seed import seed
from tests.test_cli import cr_bot

BERLIN = ZoneInfo("Europe/Berlin")

HOLIDAYS = (
    DIRECTORY.replace('name = "koopstadt"\n', 'name = "koopstadt"\nholidays = "DE"\n')
    .replace('name = "Bremen"\n', 'name = "Bremen"\nholidays = "DE-HB"\n')
    .replace('name = "Leipzig"\n', 'name = "Leipzig"\nholidays = "DE-SN"\n')
    .replace('name = "Nürnberg"\n', 'name = "Nürnberg"\nholidays = "DE-BY"\n')
)


def berlin(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BERLIN).astimezone(UTC)


# --- the rules --------------------------------------------------------------------------

EPIPHANY = Holidays(frozenset({date(2027, 1, 6)}))


def test_working_days_skip_the_holidays_they_are_given():
    start = berlin(2027, 1, 5, 10)  # Tuesday
    assert add_working_days(start, 2, BERLIN) == datetime(2027, 1, 7, 10, tzinfo=BERLIN)
    assert add_working_days(start, 2, BERLIN, EPIPHANY) == datetime(2027, 1, 8, 10, tzinfo=BERLIN)
    # A start on a holiday counts from the next working day, like a start on a Sunday.
    assert add_working_days(berlin(2027, 1, 6, 15), 1, BERLIN, EPIPHANY) == datetime(
        2027, 1, 8, 0, tzinfo=BERLIN
    )
    assert within_working_hours(berlin(2027, 1, 6, 10), WORKING_HOURS, BERLIN)
    assert not within_working_hours(berlin(2027, 1, 6, 10), WORKING_HOURS, BERLIN, EPIPHANY)


def test_each_city_keeps_its_own_holidays_and_a_city_without_keeps_the_networks():
    calendars = holiday_calendars(parse_directory(HOLIDAYS))
    bremen, leipzig, nuernberg = (calendars.of_city(c) for c in ("bremen", "leipzig", "nuernberg"))
    for day in (date(2027, 1, 6), date(2027, 11, 1)):
        assert nuernberg.is_holiday(day) and not bremen.is_holiday(day)
    assert bremen.is_holiday(date(2028, 10, 31)) and leipzig.is_holiday(date(2028, 10, 31))
    assert not nuernberg.is_holiday(date(2028, 10, 31))
    for city in (bremen, leipzig, nuernberg, calendars.network):
        assert city.is_holiday(date(2026, 12, 25)) and city.is_holiday(date(2026, 12, 26))
    assert not calendars.network.is_holiday(date(2027, 1, 6))  # national: no Epiphany
    # Without a code of its own, a city keeps the network's; without any, only weekends.
    national = holiday_calendars(parse_directory(HOLIDAYS.replace('holidays = "DE-BY"\n', "")))
    assert not national.of_city("nuernberg").is_holiday(date(2027, 1, 6))
    assert national.of_city("nuernberg").is_holiday(date(2027, 10, 3))
    plain = holiday_calendars(parse_directory(DIRECTORY))
    assert not plain.of_city("bremen").is_holiday(date(2026, 12, 25))


# --- the directory file ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'holidays = "DE-BY"',
            'holidays = "DE-XX"',
            '[[city]] #3 (key "nuernberg"), field holidays: "DE-XX" is not a subdivision of DE; '
            "expected one of DE-BB, DE-BE, DE-BW, DE-BY, DE-HB, DE-HE, DE-HH, DE-MV, DE-NI, "
            "DE-NW, DE-RP, DE-SH, DE-SL, DE-SN, DE-ST, DE-TH, DE-Augsburg",
        ),
        (
            'holidays = "DE"',
            'holidays = "Deutschland"',
            '[network], field holidays: "Deutschland" is not a country the holidays package '
            "knows; write the two-letter code in capitals, with the region after a dash, "
            'like "DE-BY"',
        ),
        (
            'holidays = "DE-HB"',
            "holidays = 49",
            '[[city]] #1 (key "bremen"), field holidays: must be text in quotes',
        ),
    ],
)
def test_directory_check_names_an_unknown_holiday_code(old, new, expected):
    assert [str(p) for p in check_directory(HOLIDAYS.replace(old, new))] == [expected]


def test_cr_bot_directory_check_tells_an_unknown_subdivision(tmp_path):
    broken = tmp_path / "directory.toml"
    broken.write_text(HOLIDAYS.replace('"DE-SN"', '"DE-SX"'), encoding="utf-8")

    result = cr_bot(tmp_path, "directory", "check", str(broken))

    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(
        f'{broken}: [[city]] #2 (key "leipzig"), field holidays: "DE-SX" is not a subdivision '
        "of DE; expected one of DE-BB, "
    )


def test_holiday_codes_are_synced_and_read_back(session_factory):
    directory = parse_directory(HOLIDAYS)
    sync_directory(session_factory, directory, now=NOW)
    loaded = load_directory(session_factory)
    assert loaded.holidays == "DE"
    assert {c.key: c.holidays for c in loaded.cities} == {
        "bremen": "DE-HB",
        "leipzig": "DE-SN",
        "nuernberg": "DE-BY",
    }
    changed = sync_directory(
        session_factory, parse_directory(HOLIDAYS.replace('"DE-BY"', '"DE-BW"')), now=NOW
    )
    assert str(changed) == "directory synced: cities 1 updated"
    unset = sync_directory(session_factory, parse_directory(DIRECTORY), now=NOW)
    assert "network 1 updated" in str(unset) and "cities 3 updated" in str(unset)
    assert load_directory(session_factory).holidays is None


# --- the jobs, over simulated weeks ------------------------------------------------------


@pytest.fixture
def holiday_bot(fake_slack, database_url, tmp_path: Path) -> Iterator:
    from tests.conftest import Clock

    path = tmp_path / "directory.toml"
    path.write_text(HOLIDAYS, encoding="utf-8")
    fake_slack.set_user("U0REQ3", email="nora@nuernberg.de")
    with running_bot(fake_slack, database_url, path, Clock(berlin(2026, 12, 1))) as bot:
        yield bot


Received = tuple[datetime, str, str]  # local time, to whom, push text


def run_hourly(bot, job: Callable, start: datetime, end: datetime) -> list[Received]:
    """Run `job` every hour from `start` to `end`, as cron would; what people received,
    with the local time it reached them."""
    sent = bot.slack.delivered("chat.postMessage")
    seen = len(sent)
    received: list[Received] = []
    bot.clock.now = start
    while bot.clock.now <= end:
        job(bot.services)
        sent = bot.slack.delivered("chat.postMessage")
        local = bot.clock.now.astimezone(BERLIN).replace(tzinfo=None)
        received += [(local, c.params["channel"], c.params["text"]) for c in sent[seen:]]
        seen = len(sent)
        bot.clock.advance(hours=1)
    return received


def test_a_reminder_due_on_a_nuernberg_holiday_waits_while_bremen_gets_it(holiday_bot):
    """Both filed on New Year's Eve 2026 at 19:00: due 2 working days later, Tuesday
    5 Jan 19:00, so the first morning run, Wednesday 6 Jan 08:00, would send them. That is
    Epiphany in Nürnberg: its contact is reminded on Thursday; Bremen's on Wednesday. The
    coordinators count the network's (national) working days: New Year's Day is one."""
    bot = holiday_bot
    bot.clock.now = berlin(2026, 12, 31, 19)
    later = {"date_from": date(2027, 2, 1), "date_to": date(2027, 2, 2)}  # no lapse before
    nue = seed(
        bot, state="submitted", requester="U0REQ3", own="nuernberg", partners=("bremen",), **later
    )
    bre = seed(
        bot, state="submitted", requester="U0REQ2", own="bremen", partners=("nuernberg",), **later
    )

    received = run_hourly(bot, remind_job, berlin(2027, 1, 1, 0), berlin(2027, 1, 11, 12))

    reminders = [(when, who) for when, who, text in received if text.startswith("Erinnerung")]
    assert reminders == [
        (datetime(2027, 1, 6, 8), "U0BRE1"),
        (datetime(2027, 1, 7, 8), "U0NUE1"),
    ]
    push = {who: text for _when, who, text in received}
    assert push["U0NUE1"].startswith(
        f"Erinnerung: #{nue} wartet seit 2 Arbeitstagen auf Ihre Entscheidung"
    )
    assert push["U0BRE1"].startswith(f"Erinnerung: #{bre} wartet seit 2 Arbeitstagen")
    # Escalation after 5 working days of the network: 4–8 Jan, due Fri 19:00 → Monday.
    escalations = sorted(
        (when, text.split(" wartet")[0]) for when, who, text in received if who == "U0COORD1"
    )
    assert escalations == [
        (datetime(2027, 1, 11, 8), f"Eskalation: #{nue}"),
        (datetime(2027, 1, 11, 8), f"Eskalation: #{bre}"),
    ]


def test_all_saints_day_2027_and_reformation_day_2028(holiday_bot):
    """Mon 1 Nov 2027: Nürnberg's holiday, Bremen's working day. Tue 31 Oct 2028: the other
    way round. Each time the contact of the city on holiday is reminded a day later."""
    bot = holiday_bot
    for filed, until, nue_day, bre_day in (
        # Thu 28 Oct 19:00 + 2 working days: Bremen Mon 1 Nov, Nürnberg Tue 2 Nov (19:00).
        (berlin(2027, 10, 28, 19), berlin(2027, 11, 4, 12), date(2027, 11, 3), date(2027, 11, 2)),
        # Thu 26 Oct 19:00: due Mon 30 Oct 19:00 in both; Tuesday is Bremen's holiday.
        (berlin(2028, 10, 26, 19), berlin(2028, 11, 2, 12), date(2028, 10, 31), date(2028, 11, 1)),
    ):
        bot.clock.now = filed
        year = filed.year
        seed(
            bot,
            state="submitted",
            requester="U0REQ3",
            own="nuernberg",
            date_from=date(year, 12, 1),
            date_to=date(year, 12, 2),
        )
        seed(
            bot,
            state="submitted",
            requester="U0REQ2",
            own="bremen",
            partners=("nuernberg",),
            date_from=date(year, 12, 1),
            date_to=date(year, 12, 2),
        )
        received = run_hourly(bot, remind_job, filed + timedelta(hours=1), until)
        reminders = [(when, who) for when, who, text in received if text.startswith("Erinnerung")]
        assert sorted(reminders) == sorted(
            [
                (datetime.combine(nue_day, datetime.min.time()).replace(hour=8), "U0NUE1"),
                (datetime.combine(bre_day, datetime.min.time()).replace(hour=8), "U0BRE1"),
            ]
        ), year


def _prompts(received: list[Received]) -> list[tuple[datetime, str]]:
    return [(when, who) for when, who, text in received if "Wie war der Austausch" in text]


def test_no_reflection_prompt_on_christmas_day(holiday_bot):
    """The exchange ends Thursday 24 Dec 2026; the prompt is due on the 25th, a holiday
    everywhere, then comes the weekend: it goes out on Monday 28 Dec at 08:00."""
    bot = holiday_bot
    seed(
        bot,
        state="matched",
        date_from=date(2026, 12, 21),
        date_to=date(2026, 12, 24),
        experts=("U0EXP1",),
    )
    received = run_hourly(bot, reflect_job, berlin(2026, 12, 24, 12), berlin(2026, 12, 28, 12))
    assert _prompts(received) == [
        (datetime(2026, 12, 28, 8), "U0REQ1"),
        (datetime(2026, 12, 28, 8), "U0EXP1"),
    ]
    assert not any(when.day in (25, 26) for when, _who, _text in received)


def test_a_reflection_prompt_waits_for_a_working_day_in_every_city_it_reaches(holiday_bot):
    """Two exchanges end Tuesday 5 Jan 2027, both with a Bremen requester: the one with
    Leipzig's experts is prompted on Wednesday; the one with Nürnberg's waits for Thursday,
    as Epiphany is a holiday there (one message, sent when nobody is on holiday)."""
    bot = holiday_bot
    bot.services.refresh_directory()
    with_leipzig = seed(
        bot,
        state="matched",
        requester="U0REQ2",
        own="bremen",
        partners=("leipzig",),
        date_from=date(2027, 1, 4),
        date_to=date(2027, 1, 5),
        experts=("U0EXP1",),
    )
    with_nuernberg = seed(
        bot,
        state="matched",
        requester="U0REQ2",
        own="bremen",
        partners=("nuernberg",),
        date_from=date(2027, 1, 4),
        date_to=date(2027, 1, 5),
        experts=("U0EXP2",),
    )
    received = run_hourly(bot, reflect_job, berlin(2027, 1, 5, 12), berlin(2027, 1, 8, 12))
    prompts = [
        (when, who, re.search(r"#\d+", text)[0])  # type: ignore[index]
        for when, who, text in received
        if "Wie war der Austausch" in text
    ]
    assert prompts == [
        (datetime(2027, 1, 6, 8), "U0REQ2", f"#{with_leipzig}"),
        (datetime(2027, 1, 6, 8), "U0EXP1", f"#{with_leipzig}"),
        (datetime(2027, 1, 7, 8), "U0REQ2", f"#{with_nuernberg}"),
        (datetime(2027, 1, 7, 8), "U0EXP2", f"#{with_nuernberg}"),
    ]
    prompt = next(
        c
        for c in bot.slack.delivered("chat.postMessage")
        if c.params["channel"] == "U0EXP2" and "Wie war der Austausch" in c.params["text"]
    )
    assert ids.A_REFLECT in buttons(prompt.params["blocks"])
