"""Lessons that pile up reach the digest channel whole: every lesson a post shows is marked
posted, and only those; what did not fit goes out in a second message or the next day's
post, never silently dropped (issue 20 item 7)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from bot.entry.scheduler import reflect_job
from bot.usecases import lessons
from models import Reflection
from tests.conftest import Clock, running_bot
from tests.flows import blocks_text
from tests.seed import seed
from tests.test_joint_reflection import CHANNEL, berlin


@pytest.fixture
def rbot(fake_slack, database_url, directory_file) -> Iterator:
    clock = Clock(berlin(2026, 11, 26))
    with running_bot(
        fake_slack, database_url, directory_file, clock, CR_DIGEST_CHANNEL=CHANNEL
    ) as bot:
        yield bot


LESSON = re.compile(r"Erkenntnis (\d+)\b")


def _pile_up(bot) -> dict[int, list[str]]:
    """26 lessons shared with the network across 21 exchanges: the first exchange has 6,
    each of the other 20 has one. Returns the lessons' texts by exchange."""
    ids = [
        seed(bot, state="matched", date_from=date(2026, 12, 7), date_to=date(2026, 12, 9))
        for _ in range(21)
    ]
    texts: dict[int, list[str]] = {i: [] for i in ids}
    n = 0
    at = berlin(2026, 12, 10)
    with bot.session_factory.begin() as s:
        for i, request_id in enumerate(ids):
            for k in range(6 if i == 0 else 1):
                n += 1
                texts[request_id].append(f"Erkenntnis {n}")
                s.add(
                    Reflection(
                        request_id=request_id,
                        user_id=f"U0L{k}",
                        worked=f"Erkenntnis {n}",
                        rating=4,
                        share="network",
                        created_at=at + timedelta(minutes=n),
                    )
                )
    return texts


def _posts(bot) -> list:
    return [
        c
        for c in bot.slack.delivered("chat.postMessage")
        if c.params["channel"] == CHANNEL and "Aus der Reflexion" in c.params["text"]
    ]


def _shown(posts: list) -> list[int]:
    return [int(n) for post in posts for n in LESSON.findall(blocks_text(post.params["blocks"]))]


def _unposted(bot) -> list[str]:
    with bot.session_factory() as s:
        rows = s.exec(select(Reflection).where(col(Reflection.posted_at).is_(None))).all()
    return sorted(r.worked or "" for r in rows)


def test_26_lessons_across_21_exchanges_all_reach_the_channel_once(rbot):
    bot = rbot
    texts = _pile_up(bot)
    bot.clock.now = berlin(2026, 12, 16)
    reflect_job(bot.services)

    posts = _posts(bot)
    assert sorted(_shown(posts)) == list(range(1, 27))  # every lesson, each once
    assert [p.params["text"] for p in posts] == [
        "Aus der Reflexion: 24 neue Erkenntnisse aus dem Netzwerk",
        "Aus der Reflexion: 2 neue Erkenntnisse aus dem Netzwerk",
    ]
    first, second = (blocks_text(p.params["blocks"]) for p in posts)
    [busy] = [i for i, t in texts.items() if len(t) == 6]
    # Five lessons of the busy exchange and one of each of the next 19 in the first post;
    # its sixth lesson and the 21st exchange in the second.
    assert first.count(f"*#{busy} ") == 1 and _shown(posts[:1])[:5] == [1, 2, 3, 4, 5]
    assert first.count("*#") == 20 and second.count("*#") == 2
    assert f"*#{busy} " in second and "Erkenntnis 6\n" in second
    assert _unposted(bot) == []

    bot.clock.now = berlin(2026, 12, 17)
    reflect_job(bot.services)
    assert len(_posts(bot)) == 2  # nothing posted twice


def test_what_a_day_cannot_show_waits_for_the_next_post(rbot, monkeypatch):
    bot = rbot
    _pile_up(bot)
    monkeypatch.setattr(lessons, "POSTS_PER_DAY", 1)
    bot.clock.now = berlin(2026, 12, 16)
    reflect_job(bot.services)

    [post] = _posts(bot)
    assert post.params["text"] == "Aus der Reflexion: 24 neue Erkenntnisse aus dem Netzwerk"
    shown = _shown([post])
    assert len(shown) == 24
    waiting = _unposted(bot)
    assert len(waiting) == 2 and not {int(w.split()[1]) for w in waiting} & set(shown)

    reflect_job(bot.services)  # the same day: once a day
    assert len(_posts(bot)) == 1
    bot.clock.now = berlin(2026, 12, 17)
    reflect_job(bot.services)
    later = _posts(bot)[1]
    assert later.params["text"] == "Aus der Reflexion: 2 neue Erkenntnisse aus dem Netzwerk"
    assert sorted(shown + _shown([later])) == list(range(1, 27))
    assert _unposted(bot) == []
