"""No pushes at night: reminders, escalations and reflection prompts wait for working hours;
replies to a person's own action do not."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import WORKING_HOURS, WorkingHours, within_working_hours
from bot.entry.scheduler import reflect_job, remind_job
from bot.infra.settings import Settings, SettingsError
from bot.slack import ids
from tests.conftest import Clock, running_bot
from tests.flows import buttons, click, dms_to, last_dm, submit_request
from tests.seed import seed

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BERLIN).astimezone(UTC)


# --- the rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (berlin(2026, 12, 10, 0, 30), False),  # Thursday night
        (berlin(2026, 12, 10, 7, 59), False),
        (berlin(2026, 12, 10, 8, 0), True),  # the window opens
        (berlin(2026, 12, 10, 12, 0), True),
        (berlin(2026, 12, 10, 17, 59), True),
        (berlin(2026, 12, 10, 18, 0), False),  # and closes
        (berlin(2026, 12, 11, 23, 0), False),  # Friday evening
        (berlin(2026, 12, 12, 10, 0), False),  # Saturday
        (berlin(2026, 12, 13, 10, 0), False),  # Sunday
        (berlin(2026, 12, 14, 8, 0), True),  # Monday
        # Summer time starts Sunday 29 March 2026: the local clock counts, not UTC.
        (berlin(2026, 3, 29, 10, 0), False),
        (datetime(2026, 3, 30, 5, 59, tzinfo=UTC), False),  # Monday 07:59 CEST
        (datetime(2026, 3, 30, 6, 0, tzinfo=UTC), True),  # Monday 08:00 CEST
        (datetime(2026, 3, 27, 6, 59, tzinfo=UTC), False),  # Friday 07:59 CET
        (datetime(2026, 3, 27, 7, 0, tzinfo=UTC), True),  # Friday 08:00 CET
        # Summer time ends Sunday 25 October 2026.
        (berlin(2026, 10, 25, 12, 0), False),
        (datetime(2026, 10, 26, 16, 59, tzinfo=UTC), True),  # Monday 17:59 CET
        (datetime(2026, 10, 26, 17, 0, tzinfo=UTC), False),  # Monday 18:00 CET
        (datetime(2026, 10, 23, 15, 59, tzinfo=UTC), True),  # Friday 17:59 CEST
        (datetime(2026, 10, 23, 16, 0, tzinfo=UTC), False),  # Friday 18:00 CEST
    ],
)
def test_within_working_hours(moment, expected):
    assert within_working_hours(moment, WORKING_HOURS, BERLIN) is expected


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("08:00-18:00", time(8), time(18)),
        (" 7:30 – 16:45 ", time(7, 30), time(16, 45)),
        ("00:00-24:00", time(0), time.max),
    ],
)
def test_working_hours_parse(text, start, end):
    assert WorkingHours.parse(text) == WorkingHours(start, end)


@pytest.mark.parametrize("text", ["", "8-18", "18:00-08:00", "08:00-08:00", "25:00-26:00", "x"])
def test_bad_working_hours_stop_with_one_line(text):
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "CR_WORKING_HOURS": text}
    if not text:  # empty means the default
        assert Settings.from_env(env).working_hours == WORKING_HOURS
        return
    with pytest.raises(SettingsError, match="CR_WORKING_HOURS="):
        Settings.from_env(env)


# --- the jobs ---------------------------------------------------------------------------


@pytest.fixture
def night_bot(fake_slack, database_url, directory_file) -> Iterator:
    with running_bot(
        fake_slack, database_url, directory_file, Clock(berlin(2026, 11, 26, 10))
    ) as bot:
        yield bot


def _reminders(bot, user: str) -> list:
    return [c for c in dms_to(bot, user) if "Erinnerung" in c.params["text"]]


def _prompts(bot, user: str) -> list:
    return [c for c in dms_to(bot, user) if ids.A_REFLECT in buttons(c.params["blocks"])]


def test_reminders_and_escalations_wait_for_the_morning(night_bot):
    bot = night_bot
    seed(bot, state="submitted", date_from=date(2026, 12, 14), date_to=date(2026, 12, 15))
    # Filed Thursday 26 Nov, 10:00; a reminder is due Monday 10:00
    bot.clock.now = berlin(2026, 11, 30, 23, 0)  # Monday night
    assert "outside working hours" in remind_job(bot.services)
    bot.clock.now = berlin(2026, 12, 1, 0, 30)
    remind_job(bot.services)
    assert _reminders(bot, "U0LEI1") == []
    bot.clock.now = berlin(2026, 12, 1, 8, 0)  # the next run inside the window sends it
    assert remind_job(bot.services) == "remind: 1"
    assert len(_reminders(bot, "U0LEI1")) == 1
    # The escalation is due Thursday 10:00; Saturday and Sunday send nothing either.
    bot.clock.now = berlin(2026, 12, 5, 11, 0)
    remind_job(bot.services)
    assert dms_to(bot, "U0COORD1") == []
    bot.clock.now = berlin(2026, 12, 7, 8, 10)
    remind_job(bot.services)
    assert len(dms_to(bot, "U0COORD1")) == 1


def test_reflection_prompts_wait_for_the_morning_completion_does_not(night_bot):
    bot = night_bot
    seed(bot, state="matched", date_from=date(2026, 12, 7), date_to=date(2026, 12, 9))
    bot.clock.now = berlin(2026, 12, 10, 0, 30)  # due since midnight
    assert "outside working hours" in reflect_job(bot.services)
    assert _prompts(bot, "U0REQ1") == [] and _prompts(bot, "U0EXP1") == []
    bot.clock.now = berlin(2026, 12, 10, 8, 0)
    assert reflect_job(bot.services) == "reflect: 1"
    assert len(_prompts(bot, "U0REQ1")) == 1 and len(_prompts(bot, "U0EXP1")) == 1
    # Completing sends nothing, so it need not wait: Wednesday 23 Dec, 00:05.
    seed(bot, state="matched", date_from=date(2026, 12, 7), date_to=date(2026, 12, 9))
    bot.clock.now = berlin(2026, 12, 23, 0, 5)
    assert "complete: 2" in reflect_job(bot.services)


def test_working_hours_are_configurable(fake_slack, database_url, directory_file):
    clock = Clock(berlin(2026, 11, 26, 10))
    with running_bot(
        fake_slack, database_url, directory_file, clock, CR_WORKING_HOURS="09:00-17:00"
    ) as bot:
        seed(bot, state="matched", date_from=date(2026, 12, 7), date_to=date(2026, 12, 9))
        clock.now = berlin(2026, 12, 10, 8, 30)
        reflect_job(bot.services)
        assert _prompts(bot, "U0EXP1") == []
        clock.now = berlin(2026, 12, 10, 9, 0)
        reflect_job(bot.services)
        assert len(_prompts(bot, "U0EXP1")) == 1


def test_replies_to_a_persons_own_action_go_at_once_at_night(night_bot):
    bot = night_bot
    bot.clock.now = berlin(2026, 11, 26, 23, 30)
    submit_request(bot, "U0REQ1")
    assert "#1" in last_dm(bot, "U0REQ1").params["text"]  # the confirmation
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    assert "genehmigt" in last_dm(bot, "U0REQ1").params["text"]
