"""Issue 21, finding 8: a question asked once is asked once more. An unanswered reflection
prompt and an unclaimed cost claim are reminded 7 days after the prompt, in working hours,
then never again; `cr-bot reflect` (the reflect job) sends them. Driven by the test clock,
twice a day over four weeks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.entry.scheduler import reflect_job
from bot.infra.directory_file import parse_directory
from bot.slack import ids, messages
from bot.slack.claims import claim_prompt
from bot.texts import fmt_date
from tests.conftest import DIRECTORY, Clock, running_bot
from tests.flows import blocks_text, buttons, click, dms_to
from tests.seed import seed
from tests.test_claims import submit_claim
from tests.test_conversation_texts import summary
from tests.test_joint_reflection import reflect_on

BERLIN = ZoneInfo("Europe/Berlin")
DIR = parse_directory(DIRECTORY)


def berlin(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def rbot(fake_slack, database_url, directory_file) -> Iterator:
    with running_bot(fake_slack, database_url, directory_file, Clock(berlin(2026, 11, 26))) as bot:
        yield bot


def _with_button(bot, user: str, action_id: str) -> list:
    return [m for m in dms_to(bot, user) if action_id in buttons(m.params["blocks"])]


def _days(bot, first: date, last: date, on_day=None) -> dict[str, list[datetime]]:
    """Run the reflect job at 07:00 (before working hours) and 10:00 every day; when each
    person's reminders went out."""
    sent: dict[str, list[datetime]] = {}
    day = first
    while day <= last:
        for hour in (7, 10):
            bot.clock.now = berlin(day.year, day.month, day.day, hour)
            before = len(bot.slack.delivered("chat.postMessage"))
            reflect_job(bot.services)
            for m in bot.slack.delivered("chat.postMessage")[before:]:
                if m.params["text"].startswith("Erinnerung:"):
                    sent.setdefault(m.params["channel"], []).append(bot.clock.now)
        if on_day:
            on_day(day)
        day += timedelta(days=1)
    return sent


def test_one_reminder_a_week_after_the_prompts_then_never_again(rbot):
    bot = rbot
    request_id = seed(bot, state="matched", title="Stationen", cost_eur=Decimal("450"))

    def expert_reflects(day: date) -> None:
        if day == date(2026, 12, 14):
            reflect_on(bot, "U0EXP1", share="report", worked="Der Rundgang")

    # Prompts on Thu 10 Dec at 10:00; the expert answers on Mon 14 Dec, the requester never.
    sent = _days(bot, date(2026, 12, 10), date(2027, 1, 8), expert_reflects)

    assert sent == {"U0REQ1": [berlin(2026, 12, 17)] * 2}  # reflection and claim, once
    [_, reminder] = _with_button(bot, "U0REQ1", ids.A_REFLECT)
    assert reminder.params["text"] == (
        f"Erinnerung: Ihre Reflexion zu #{request_id} Stationen fehlt noch – "
        "bitte nehmen Sie sich zwei Minuten"
    )
    assert blocks_text(reminder.params["blocks"]) == (
        f":thought_balloon: Erinnerung: Am Do, 10. Dez. 2026 haben wir Sie um eine Reflexion "
        f"zu *#{request_id}* „Stationen“ gebeten; sie fehlt noch. Zwei Minuten genügen – Sie "
        "hören dazu nur dieses eine Mal von uns.\nReflexion schreiben"
    )
    [prompt, claim_reminder] = _with_button(bot, "U0REQ1", ids.A_CLAIM)
    assert claim_reminder.params["text"] == (
        f"Erinnerung: Bitte melden Sie Ihre Reisekosten für #{request_id} Stationen"
    )
    assert blocks_text(claim_reminder.params["blocks"]).startswith(
        ":receipt: Erinnerung: Am Do, 10. Dez. 2026 haben wir Sie gebeten, die Reisekosten für "
        f"*#{request_id}* „Stationen“ zu melden; das steht noch aus."
    )
    # The reminder's buttons work as the prompt's; answering closes prompt and reminder.
    updates = len(bot.slack.delivered("chat.update"))
    click(bot, "U0REQ1", claim_reminder, ids.A_CLAIM)
    status, body = submit_claim(bot, "U0REQ1", "120", "total", [])
    assert status == 200 and not body
    closed = {
        (c.params["channel"], c.params["ts"])
        for c in bot.slack.delivered("chat.update")[updates:]
        if not buttons(c.params["blocks"])
    }
    assert {(m.response["channel"], m.response["ts"]) for m in (prompt, claim_reminder)} <= closed


def test_nobody_is_reminded_who_answered_and_nothing_outside_working_hours(rbot):
    bot = rbot
    seed(bot, state="matched", title="Stationen", cost_eur=Decimal("450"))

    def everyone_answers(day: date) -> None:
        if day == date(2026, 12, 11):
            reflect_on(bot, "U0REQ1", share="report", worked="Gut")
            reflect_on(bot, "U0EXP1", share="report", worked="Auch gut")
            click(bot, "U0REQ1", _with_button(bot, "U0REQ1", ids.A_CLAIM)[0], ids.A_CLAIM)
            assert submit_claim(bot, "U0REQ1", "120", "total", [])[0] == 200

    assert _days(bot, date(2026, 12, 10), date(2027, 1, 8), everyone_answers) == {}

    # Prompted on Friday: 7 days later is Friday again; at 19:00 nothing, on Monday (a week
    # and three days after) at 10:00 the one reminder.
    other = seed(
        bot, state="matched", title="Später", date_from=date(2027, 1, 11), date_to=date(2027, 1, 14)
    )
    bot.clock.now = berlin(2027, 1, 15)
    reflect_job(bot.services)
    bot.clock.now = berlin(2027, 1, 22, 19)
    assert "reminders" not in reflect_job(bot.services)
    bot.clock.now = berlin(2027, 1, 25)
    assert "reflection reminders: 1, claim reminders: 1" in reflect_job(bot.services)
    assert reflect_job(bot.services).count("reminders") == 0
    assert [m.params["text"] for m in _with_button(bot, "U0EXP1", ids.A_REFLECT)][-1] == (
        f"Erinnerung: Ihre Reflexion zu #{other} Später fehlt noch – bitte nehmen Sie sich "
        "zwei Minuten"
    )


@pytest.mark.parametrize(
    ("lang", "reflection", "push", "claim"),
    [
        (
            "de",
            "Erinnerung: Am Do, 10. Dez. 2026 haben wir Sie um eine Reflexion zu *#7* "
            "„Quartiersschulen“ gebeten",
            "Erinnerung: Bitte melden Sie Ihre Reisekosten für #7 Quartiersschulen",
            "Erstattet wird erst, wenn Sie sie melden – Sie hören dazu nur dieses eine Mal "
            "von uns.",
        ),
        (
            "en",
            'Reminder: on Thu, 10 Dec 2026 we asked for your reflection on *#7* "Quartiersschulen"',
            "Reminder: please claim your travel costs for #7 Quartiersschulen",
            "They are refunded only once you claim them – this is the only reminder.",
        ),
    ],
)
def test_the_reminders_read_the_same_in_both_languages(lang, reflection, push, claim):
    s = summary(status="matched")
    asked_on = fmt_date(date(2026, 12, 10), lang)
    prompt = messages.reflection_prompt(s, lang, asked_on=asked_on)
    assert reflection in blocks_text(prompt["blocks"])
    assert ids.A_REFLECT in buttons(prompt["blocks"])
    message = claim_prompt(s, lang, asked_on=asked_on)
    assert message["text"] == push
    assert claim in blocks_text(message["blocks"]) and ids.A_CLAIM in buttons(message["blocks"])
