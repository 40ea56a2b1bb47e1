"""Digests, reminders and reflections with a frozen clock; several schedulers at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.domain.schedule import DigestSchedule, add_working_days, latest_slot, period_key
from bot.entry.scheduler import digest_job, reflect_job, remind_job
from bot.slack import ids
from models import DigestRun, ExchangeRequest, Reflection
from tests import payloads as p
from tests.conftest import Clock, running_bot
from tests.flows import blocks_text, buttons, click, dms_to, last_dm, replies, submit_opened
from tests.seed import seed

BERLIN = ZoneInfo("Europe/Berlin")
CHANNEL = "C0DIGEST"


def berlin(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def digest_bot(fake_slack, database_url, directory_file) -> Iterator:
    clock = Clock(berlin(2026, 11, 26, 10))
    with running_bot(
        fake_slack, database_url, directory_file, clock, CR_DIGEST_CHANNEL=CHANNEL
    ) as bot:
        yield bot


def _digest_posts(bot) -> list:
    return [c for c in bot.slack.delivered("chat.postMessage") if c.params["channel"] == CHANNEL]


# --- time rules --------------------------------------------------------------------


def test_latest_slot_and_period():
    schedule = DigestSchedule(weekdays=(0,), at=time(9, 0))
    assert (
        period_key(latest_slot(schedule, berlin(2026, 11, 30, 9, 0), BERLIN)) == "2026-11-30T09:00"
    )
    assert (
        period_key(latest_slot(schedule, berlin(2026, 11, 30, 8, 59), BERLIN)) == "2026-11-23T09:00"
    )
    assert period_key(latest_slot(schedule, berlin(2026, 12, 3, 15), BERLIN)) == "2026-11-30T09:00"
    daily = DigestSchedule(weekdays=tuple(range(7)), at=time(7, 30))
    assert period_key(latest_slot(daily, berlin(2026, 12, 6, 8), BERLIN)) == "2026-12-06T07:30"


def test_working_days_skip_weekends():
    thursday = berlin(2026, 11, 26, 10)
    assert add_working_days(thursday, 2, BERLIN) == berlin(2026, 11, 30, 10)  # Fri, Mon
    assert add_working_days(thursday, 5, BERLIN) == berlin(2026, 12, 3, 10)
    saturday = berlin(2026, 11, 28, 15)
    assert add_working_days(saturday, 2, BERLIN) == berlin(2026, 12, 2, 0)  # from Monday 00:00


def test_bad_schedule_stops_with_one_line():
    from bot.infra.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="CR_DIGEST_SCHEDULE='sometimes'"):
        Settings.from_env(
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_APP_TOKEN": "xapp-1",
                "CR_DIGEST_SCHEDULE": "sometimes",
            }
        )


# --- digest ------------------------------------------------------------------------


def test_digest_content_grouped_by_week(digest_bot):
    bot = digest_bot
    seed(bot, title="Wohnen in Bremen", date_from=date(2026, 12, 7), date_to=date(2026, 12, 9))
    seed(
        bot,
        state="matched",
        title="Mobilstationen",
        own="bremen",
        partners=("nuernberg",),
        date_from=date(2026, 12, 1),
        date_to=date(2026, 12, 2),
        travellers=3,
    )
    seed(bot, title="Zu spät", date_from=date(2027, 1, 11), date_to=date(2027, 1, 12))
    seed(bot, state="declined", title="Abgelehnt", date_from=date(2026, 12, 8))
    seed(bot, state="submitted", title="Wartet noch", date_from=date(2026, 12, 8))
    bot.clock.now = berlin(2026, 11, 30, 9, 0)
    assert digest_job(bot.services) == "posted"
    [post] = _digest_posts(bot)
    text = blocks_text(post.params["blocks"])
    weeks = [w for w in text.split("Woche ab ")[1:]]
    assert [w.split("\n")[0].strip("*") for w in weeks] == [
        "Mo, 30. Nov. 2026",
        "Mo, 7. Dez. 2026",
        "Mo, 14. Dez. 2026",
        "Mo, 21. Dez. 2026",
    ]
    assert (
        "Mobilstationen" in weeks[0]
        and "Bremen → Nürnberg" in weeks[0]
        and "3 Personen reisen" in weeks[0]
    )
    assert "Wohnen in Bremen" in weeks[1] and "Leipzig → Bremen · Wohnen · Workshop" in weeks[1]
    assert "Mo, 7. Dez. 2026 – Mi, 9. Dez. 2026 · 2 Personen reisen" in weeks[1]
    assert "Nichts geplant" in weeks[2] and "Nichts geplant" in weeks[3]
    assert "Zu spät" not in text and "Abgelehnt" not in text and "Wartet noch" not in text
    assert "1 Anfrage wartet auf eine Entscheidung." in text


def test_digest_timing_and_once_per_period(digest_bot):
    bot = digest_bot
    bot.clock.now = berlin(2026, 11, 30, 8, 59)
    assert digest_job(bot.services) == "not due"  # last Monday's is long past
    bot.clock.now = berlin(2026, 11, 30, 9, 0)
    assert digest_job(bot.services) == "posted"
    bot.clock.now = berlin(2026, 11, 30, 9, 1)
    assert digest_job(bot.services) == "already posted"
    bot.clock.now = berlin(2026, 12, 2, 12, 0)
    assert digest_job(bot.services) == "not due"
    assert digest_job(bot.services, force=True) == "already posted"  # --now: this period is done
    bot.clock.now = berlin(2026, 12, 7, 9, 0)
    assert digest_job(bot.services) == "posted"
    assert len(_digest_posts(bot)) == 2
    with bot.session_factory() as s:
        periods = sorted(r.period for r in s.exec(select(DigestRun)).all())
    assert periods == ["2026-11-30T09:00", "2026-12-07T09:00"]


def test_digest_now_posts_the_current_period_late(digest_bot):
    bot = digest_bot
    bot.clock.now = berlin(2026, 12, 2, 12, 0)
    assert digest_job(bot.services, force=True) == "posted"
    assert len(_digest_posts(bot)) == 1


def test_large_digest_continues_in_the_thread(digest_bot):
    bot = digest_bot
    for n in range(60):
        seed(
            bot,
            title=f"Austausch Nummer {n}",
            date_from=date(2026, 12, 1 + n % 20),
            date_to=date(2026, 12, 1 + n % 20),
        )
    bot.clock.now = berlin(2026, 11, 30, 9, 0)
    digest_job(bot.services)
    posts = _digest_posts(bot)
    assert len(posts) == 2
    first, second = posts
    assert len(first.params["blocks"]) <= 50 and "thread_ts" not in first.params
    assert second.params["thread_ts"] == first.response["ts"]
    assert "Fortsetzung (2/2)" in blocks_text(second.params["blocks"])
    shown = blocks_text(first.params["blocks"]) + blocks_text(second.params["blocks"])
    assert all(f"Austausch Nummer {n}*" in shown for n in range(60))


def test_refused_digest_is_posted_on_the_next_try(digest_bot):
    bot = digest_bot
    bot.slack.fail("chat.postMessage", status=500, times=1)
    bot.clock.now = berlin(2026, 11, 30, 9, 0)
    assert digest_job(bot.services) == "posted"
    assert _digest_posts(bot) == []
    bot.clock.advance(minutes=1)
    assert digest_job(bot.services) == "already posted"  # the retry is the outbox's job
    assert len(_digest_posts(bot)) == 1


def test_upcoming_shows_the_same_content_privately(digest_bot):
    bot = digest_bot
    seed(bot, title="Wohnen in Bremen")
    bot.http.command(user_id="U0REQ2", text="upcoming", response_url=bot.slack.response_url("u"))
    shown = bot.slack.calls_to("response_url")[-1].params
    assert shown["response_type"] == "ephemeral"
    assert "Wohnen in Bremen" in blocks_text(shown["blocks"])
    assert _digest_posts(bot) == []


# --- many schedulers ------------------------------------------------------------------


def _instances(bot, n: int) -> Iterator:
    """n more bot instances on the same database and the same fake Slack and clock."""
    stack = ExitStack()
    settings = bot.services.settings
    others = [
        stack.enter_context(
            running_bot(
                bot.slack,
                settings.database_url,
                settings.directory_path,
                bot.clock,
                CR_DIGEST_CHANNEL=CHANNEL,
            )
        )
        for _ in range(n)
    ]
    return stack, others


def _at_once(jobs) -> list:
    results: list = []
    barrier = threading.Barrier(len(jobs))

    def run(job):
        barrier.wait()
        results.append(job())

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return results


def test_two_schedulers_and_cron_post_one_digest_one_reminder_one_prompt(digest_bot):
    bot = digest_bot
    stack, others = _instances(bot, 2)
    with stack:
        services = [bot.services] + [o.services for o in others]
        waiting = seed(bot, state="submitted", title="Wartet")  # Thu 26 Nov 10:00
        ended = seed(bot, state="matched", date_from=date(2026, 11, 26), date_to=date(2026, 11, 27))
        bot.clock.now = berlin(2026, 11, 30, 10, 0)  # Monday: digest due, reminder due
        results = _at_once([lambda s=s: digest_job(s) for s in services])
        assert sorted(results) == ["already posted", "already posted", "posted"]
        _at_once([lambda s=s: remind_job(s) for s in services])
        _at_once([lambda s=s: reflect_job(s) for s in services])
        for s in services:
            s.deliver()
    assert len(_digest_posts(bot)) == 1
    for contact in ("U0LEI1", "U0LEI2"):
        reminders = [c for c in dms_to(bot, contact) if "Erinnerung" in c.params["text"]]
        assert len(reminders) == 1 and f"#{waiting}" in reminders[0].params["text"]
    for person in ("U0REQ1", "U0EXP1"):
        prompts = [c for c in dms_to(bot, person) if ids.A_REFLECT in buttons(c.params["blocks"])]
        assert len(prompts) == 1 and f"#{ended}" in prompts[0].params["text"]


# --- reminders ------------------------------------------------------------------------


def test_reminder_after_two_and_escalation_after_five_working_days(digest_bot):
    bot = digest_bot
    request_id = seed(bot, state="submitted")  # Thursday 26 Nov, 10:00
    bot.clock.now = berlin(2026, 11, 30, 9, 59)  # Fri + Mon, not quite
    remind_job(bot.services)
    assert not [c for c in dms_to(bot, "U0LEI1") if "Erinnerung" in c.params["text"]]
    bot.clock.now = berlin(2026, 11, 30, 10, 0)
    remind_job(bot.services)
    remind_job(bot.services)
    reminders = [c for c in dms_to(bot, "U0LEI1") if "Erinnerung" in c.params["text"]]
    assert len(reminders) == 1 and "2 Arbeitstagen" in reminders[0].params["text"]
    assert dms_to(bot, "U0COORD1") == []
    bot.clock.now = berlin(2026, 12, 3, 10, 0)  # + Tue, Wed, Thu
    remind_job(bot.services)
    remind_job(bot.services)
    escalations = dms_to(bot, "U0COORD1")
    assert len(escalations) == 1
    escalation = escalations[0]
    assert "5 Arbeitstagen" in blocks_text(escalation.params["blocks"])
    assert "<@U0LEI1> und <@U0LEI2>" in blocks_text(escalation.params["blocks"])
    # The coordinator decides from the escalation; every copy is updated.
    click(bot, "U0COORD1", escalation, ids.A_APPROVE, name="coord")
    assert replies(bot, "coord") == []
    with bot.session_factory() as s:
        assert s.get(ExchangeRequest, request_id).status == "approved"
    closed = {c.params["ts"] for c in bot.slack.delivered("chat.update")}
    assert escalation.response["ts"] in closed and dms_to(bot, "U0LEI1")[0].response["ts"] in closed


# --- reflections -----------------------------------------------------------------------


def test_reflection_prompt_the_day_after_and_completion(digest_bot):
    bot = digest_bot
    request_id = seed(bot, state="matched", date_from=date(2026, 12, 7), date_to=date(2026, 12, 9))
    bot.clock.now = berlin(2026, 12, 9, 18, 0)
    reflect_job(bot.services)
    assert not [c for c in dms_to(bot, "U0REQ1") if ids.A_REFLECT in buttons(c.params["blocks"])]
    bot.clock.now = berlin(2026, 12, 10, 0, 30)  # due, but not at night
    reflect_job(bot.services)
    assert not [c for c in dms_to(bot, "U0EXP1") if ids.A_REFLECT in buttons(c.params["blocks"])]
    bot.clock.now = berlin(2026, 12, 10, 8, 0)
    reflect_job(bot.services)
    prompt = last_dm(bot, "U0EXP1")
    assert ids.A_REFLECT in buttons(prompt.params["blocks"])
    # Someone else cannot reflect on it.
    click(bot, "U0OUT1", prompt, ids.A_REFLECT)
    assert "Reflexionen schreiben" in blocks_text(
        bot.slack.delivered("views.update")[-1].params["view"]["blocks"]
    )
    click(bot, "U0EXP1", prompt, ids.A_REFLECT)
    assert bot.slack.delivered("views.open")[-1].params["view"]["callback_id"] == ids.VIEW_REFLECT
    _, body = submit_opened(bot, "U0EXP1", {ids.B_WORKED: {ids.VALUE: p.text_value("Offen")}})
    assert set(body["errors"]) == {ids.B_RATING, ids.B_RECOMMEND}
    values = {
        ids.B_WORKED: {ids.VALUE: p.text_value("Der Blick von außen.")},
        ids.B_NOT_WORKED: {ids.VALUE: p.text_value("")},
        ids.B_RECOMMEND: {ids.VALUE: p.radio_value("yes")},
        ids.B_RATING: {ids.VALUE: p.radio_value("5")},
    }
    status, body = submit_opened(bot, "U0EXP1", values)
    assert status == 200 and not body
    with bot.session_factory() as s:
        assert s.get(ExchangeRequest, request_id).status == "completed"
        [reflection] = s.exec(select(Reflection)).all()
    assert (reflection.user_id, reflection.rating, reflection.recommend) == ("U0EXP1", 5, True)
    assert reflection.worked == "Der Blick von außen." and reflection.not_worked is None
    # The same submission again changes nothing.
    submit_opened(bot, "U0EXP1", values)
    with bot.session_factory() as s:
        assert len(s.exec(select(Reflection)).all()) == 1
    # The requester may still reflect after completion (the prompt, before the certificate).
    [prompt] = [m for m in dms_to(bot, "U0REQ1") if ids.A_REFLECT in buttons(m.params["blocks"])]
    click(bot, "U0REQ1", prompt, ids.A_REFLECT)
    status, body = submit_opened(bot, "U0REQ1", values)
    with bot.session_factory() as s:
        assert len(s.exec(select(Reflection)).all()) == 2


def test_completed_fourteen_days_after_the_end_without_reflection(digest_bot):
    bot = digest_bot
    request_id = seed(bot, state="matched", date_from=date(2026, 12, 7), date_to=date(2026, 12, 9))
    bot.clock.now = berlin(2026, 12, 22, 12)
    reflect_job(bot.services)
    with bot.session_factory() as s:
        assert s.get(ExchangeRequest, request_id).status == "matched"
    bot.clock.now = berlin(2026, 12, 23, 0, 5)
    reflect_job(bot.services)
    with bot.session_factory() as s:
        request = s.get(ExchangeRequest, request_id)
    assert request.status == "completed" and request.completed_at is not None
