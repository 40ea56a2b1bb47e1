"""Issue 21, finding 6: statuses, Home sections and the digest follow the date. An exchange is
upcoming until its last day, then waits for its reflection; the digest marks approved
exchanges still missing experts. Driven by the test clock, day by day, over three weeks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.entry.scheduler import digest_job, reflect_job, remind_job
from bot.infra.directory_file import parse_directory
from bot.slack import home, ids
from bot.slack.digest import digest_messages, digest_text
from bot.usecases import matching
from bot.usecases.digest import Digest
from bot.usecases.home import HomeData
from tests import payloads as p
from tests.conftest import DIRECTORY, Clock, running_bot
from tests.flows import blocks_text
from tests.seed import seed
from tests.test_conversation_texts import summary

BERLIN = ZoneInfo("Europe/Berlin")
CHANNEL = "C0DIGEST"
DIR = parse_directory(DIRECTORY)


def berlin(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def sbot(fake_slack, database_url, directory_file) -> Iterator:
    clock = Clock(berlin(2026, 11, 26))
    with running_bot(
        fake_slack,
        database_url,
        directory_file,
        clock,
        CR_DIGEST_CHANNEL=CHANNEL,
        CR_DIGEST_SCHEDULE="mon,thu 09:00",
    ) as bot:
        yield bot


def _home(bot, user: str) -> dict:
    status, _ = bot.http.event(p.app_home_opened(user_id=user))
    assert status == 200
    published = [c for c in bot.slack.delivered("views.publish") if c.params["user_id"] == user]
    return published[-1].params["view"]


def _section(text: str, title: str, until: str | None) -> str:
    """The part of the Home text from the section title to the next one."""
    rest = text.split(title, 1)[1]
    return rest.split(until, 1)[0] if until else rest


def _cancel_buttons(view: dict) -> list[str]:
    return buttons_all(view, ids.A_CANCEL)


def _digests(bot) -> list[str]:
    return [
        blocks_text(c.params["blocks"])
        for c in bot.slack.delivered("chat.postMessage")
        if c.params["channel"] == CHANNEL and c.params["text"].startswith("C+R-Austausche")
    ]


def _exchanges(bot) -> tuple[int, int]:
    """#1 matched, Mon 7 – Wed 9 Dec; #2 approved for Bremen and Nürnberg, 15 – 17 Dec, whose
    experts Bremen named and Nürnberg has not."""
    first = seed(bot, state="matched", title="Stationen")
    second = seed(
        bot,
        title="Quartiere",
        partners=("bremen", "nuernberg"),
        date_from=date(2026, 12, 15),
        date_to=date(2026, 12, 17),
    )
    matching.name_experts(
        bot.services.session_factory,
        second,
        "bremen",
        ["U0EXP2"],
        actor="U0BRE3",
        note=None,
        ctx=bot.services.context(),
        now=bot.clock(),
    )
    bot.services.deliver()
    return first, second


def test_after_the_last_day_the_exchange_waits_for_its_reflection_everywhere(sbot):
    bot = sbot
    first, second = _exchanges(bot)
    homes: dict[date, dict] = {}
    day = date(2026, 11, 30)
    while day <= date(2026, 12, 17):  # three weeks, the jobs at 10:00 every day
        bot.clock.now = berlin(day.year, day.month, day.day)
        digest_job(bot.services)
        remind_job(bot.services)
        reflect_job(bot.services)
        homes[day] = _home(bot, "U0REQ1")
        day += timedelta(days=1)

    def mine(day: date) -> str:
        return _section(blocks_text(homes[day]["blocks"]), "Ihre Anfragen", "Anstehende")

    def upcoming(day: date) -> str:
        return _section(blocks_text(homes[day]["blocks"]), "Anstehende Austausche", None)

    # Before and during the exchange: upcoming, with good wishes and the withdraw button.
    for day in (date(2026, 12, 3), date(2026, 12, 9)):
        assert (
            "_Vermittelt_ – viel Erfolg beim Austausch; danach bitten wir um eine Reflexion."
            in mine(day)
        )
        assert f"#{first} Stationen" in upcoming(day)
        assert len(_cancel_buttons(homes[day])) == 2
    # The day after its last day, and every day after: over, waiting for the reflection.
    for day in (date(2026, 12, 10), date(2026, 12, 14)):
        text = mine(day)
        assert (
            "_Austausch vorbei – wartet auf Reflexion_ – bitte teilen Sie Ihre Reflexion "
            "(siehe Nachrichten)." in text
        )
        assert "viel Erfolg beim Austausch" not in text
        assert [v.split(":")[0] for v in _cancel_buttons(homes[day])] == [str(second)]
        assert f"#{first} Stationen" not in upcoming(day)
        assert f"#{second} Quartiere" in upcoming(day)

    digests = _digests(bot)
    assert len(digests) == 6  # Mon and Thu of three weeks
    monday, thursday = digests[2], digests[3]  # Mon 7 Dec, Thu 10 Dec
    assert f"#{first} Stationen" in monday and f"#{first} Stationen" not in thursday
    # The approved exchange is marked with the city still to name; the matched one is not.
    for text in (monday, thursday):
        item = text.split(f"#{second} Quartiere", 1)[1]
        assert ":warning: _Noch ohne Expert/innen aus Nürnberg_" in item
    assert monday.count("Noch ohne Expert/innen") == 1


@pytest.mark.parametrize(
    ("lang", "over", "matched", "missing"),
    [
        (
            "de",
            "_Austausch vorbei – wartet auf Reflexion_ – bitte teilen Sie Ihre Reflexion "
            "(siehe Nachrichten).",
            "_Vermittelt_ – viel Erfolg beim Austausch",
            "Noch ohne Expert/innen aus Bremen und Nürnberg",
        ),
        (
            "en",
            "_Exchange over – waiting for reflection_ – please share your reflection "
            "(see Messages).",
            "_Matched_ – enjoy the exchange",
            "Still without experts from Bremen and Nürnberg",
        ),
    ],
)
def test_what_the_date_changes_reads_the_same_in_both_languages(lang, over, matched, missing):
    ended = summary(id=1, status="matched", date_to=date(2026, 12, 9))
    coming = summary(id=2, status="matched", date_to=date(2026, 12, 19))
    data = HomeData(
        mine=[ended, coming],
        mine_total=2,
        to_decide=[],
        to_decide_total=0,
        to_name=[],
        upcoming=[],
        upcoming_total=0,
        today=date(2026, 12, 10),
    )
    view = home.home_view(data, DIR, lang)
    text = blocks_text(view["blocks"])
    assert over in text and matched in text
    assert [v.split(":")[0] for v in buttons_all(view, ids.A_CANCEL)] == ["2"]

    approved = summary(id=3, partner_keys=("bremen", "nuernberg"))
    digest = Digest(
        today=date(2026, 11, 30),
        weeks=[(date(2026, 12, 7), [approved, coming])],
        pending=0,
        missing={3: ("bremen", "nuernberg")},
    )
    [message] = digest_messages(digest, DIR, lang)
    assert f":warning: _{missing}_" in blocks_text(message["blocks"])
    assert blocks_text(message["blocks"]).count(missing) == 1
    assert f"    {missing}\n" in digest_text(digest, DIR, lang)


def buttons_all(view: dict, action_id: str) -> list[str]:
    return [
        el["value"]
        for b in view["blocks"]
        if b["type"] == "actions"
        for el in b["elements"]
        if el["action_id"] == action_id
    ]
