"""Namings at the same moment (issue 20, items 9 and 10): two instances of the bot on one
database, two people submitting the naming modal at once. Whatever the order, the request
is matched once, the city is named once, everybody hears it once, and the loser is told
why, in their language, where they typed.

The expert row's INSERT is slowed down on both instances, so both namings are inside their
transaction at the same time: without the request's lock both read "nothing named yet".
(SQLite serialises writers from BEGIN IMMEDIATE on, so there the same test shows that the
decision is taken inside the write transaction.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import select

from bot.slack import ids
from bot.slack.views import small_metadata
from models import AuditEntry, ExchangeRequest, Expert
from tests import payloads as p
from tests.conftest import running_bot
from tests.flows import blocks_text, dms_to
from tests.seed import seed

HOLD = 0.4  # seconds each naming waits inside its transaction, before its expert row


@contextmanager
def two_instances(fake_slack, database_url, directory_file, clock) -> Iterator[tuple[Any, Any]]:
    with (
        running_bot(fake_slack, database_url, directory_file, clock) as one,
        running_bot(fake_slack, database_url, directory_file, clock) as two,
    ):
        yield one, two


def _slow_expert_rows(bot: Any) -> None:
    def hold(_conn, _cursor, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO EXPERT"):
            time.sleep(HOLD)

    event.listen(bot.session_factory.engine, "before_cursor_execute", hold)


def _at_once(*steps: tuple[Any, str, int, str, list[str], str]) -> list[tuple[int, Any]]:
    """Each step (bot, user, request, city, experts, lang) submits the naming modal; all at
    the same moment, each from its own thread."""
    start = threading.Barrier(len(steps))
    answers: list[tuple[int, Any]] = [(0, None)] * len(steps)

    def submit(i: int, bot: Any, user: str, rid: int, city: str, experts: list[str], lang: str):
        start.wait()
        answers[i] = bot.http.submit(
            callback_id=ids.VIEW_NAME_EXPERTS,
            user_id=user,
            values={ids.B_EXPERTS: {ids.VALUE: p.users_value(experts)}},
            view_id=f"VNAME{user}",
            private_metadata=small_metadata(id=rid, city=city, lang=lang),
        )

    threads = [threading.Thread(target=submit, args=(i, *s)) for i, s in enumerate(steps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


def _group_dms(bot: Any) -> list[Any]:
    return [c for c in bot.slack.delivered("conversations.open") if "," in c.params["users"]]


def _trail(bot: Any, request_id: int) -> list[tuple[str, str, str | None]]:
    with bot.session_factory() as s:
        rows = s.exec(
            select(AuditEntry).where(AuditEntry.request_id == request_id).order_by(AuditEntry.id)
        ).all()
    return [(a.actor, a.action, a.to_status) for a in rows]


def _told_matched(bot: Any, user: str) -> list[Any]:
    """The DMs telling `user` that every partner city named its experts (by their push text)."""
    return [
        m for m in dms_to(bot, user) if m.params["text"].endswith("sind alle Expert/innen benannt")
    ]


def test_two_partner_cities_naming_at_once_match_the_request_once(
    fake_slack, database_url, directory_file, clock
):
    with two_instances(fake_slack, database_url, directory_file, clock) as (one, two):
        rid = seed(one, state="approved", partners=("bremen", "nuernberg"))
        for bot in (one, two):
            _slow_expert_rows(bot)

        answers = _at_once(
            (one, "U0BRE3", rid, "bremen", ["U0EXP1"], "de"),
            (two, "U0NUE1", rid, "nuernberg", ["U0EXP2"], "de"),
        )

        assert answers == [(200, ""), (200, "")]
        with one.session_factory() as s:
            assert s.get(ExchangeRequest, rid).status == "matched"
            assert sorted(s.exec(select(Expert.city_key, Expert.user_id)).all()) == [
                ("bremen", "U0EXP1"),
                ("nuernberg", "U0EXP2"),
            ]
        trail = _trail(one, rid)
        assert [a for _u, a, _t in trail] == ["submit", "approve", "name", "match"]
        assert trail[-1][2] == "matched"
        # One group DM of the requester, both experts and both namers.
        [group] = _group_dms(one)
        assert sorted(group.params["users"].split(",")) == sorted(
            ["U0REQ1", "U0EXP1", "U0EXP2", "U0BRE3", "U0NUE1"]
        )
        channel = group.response["channel"]["id"]
        [intro] = [
            m for m in one.slack.delivered("chat.postMessage") if m.params["channel"] == channel
        ]
        assert intro.params["text"].startswith(f"C+R-Austausch #{rid} ")
        assert intro.params["text"].endswith(": Darf ich vorstellen?")
        assert "<@U0EXP1>" in blocks_text(intro.params["blocks"])
        assert "<@U0EXP2>" in blocks_text(intro.params["blocks"])
        # The requester hears it once, with both cities' experts.
        [told] = _told_matched(one, "U0REQ1")
        assert told.params["text"].startswith(f"Für Ihre Anfrage #{rid} ")
        said = blocks_text(told.params["blocks"])
        assert "• Bremen: <@U0EXP1> (benannt von <@U0BRE3>)" in said
        assert "• Nürnberg: <@U0EXP2> (benannt von <@U0NUE1>)" in said
        assert f"/archives/{channel}/" in said  # the link to the group DM


@pytest.mark.parametrize("same_expert", [False, True], ids=["two-experts", "same-expert"])
def test_two_contacts_of_one_city_naming_at_once_name_it_once(
    fake_slack, database_url, directory_file, clock, same_expert
):
    with two_instances(fake_slack, database_url, directory_file, clock) as (one, two):
        rid = seed(one, state="approved", requester="U0REQ2", own="bremen", partners=("leipzig",))
        for bot in (one, two):
            _slow_expert_rows(bot)
        second = "U0EXP1" if same_expert else "U0EXP2"

        answers = _at_once(
            (one, "U0LEI1", rid, "leipzig", ["U0EXP1"], "de"),
            (two, "U0LEI2", rid, "leipzig", [second], "en"),
        )

        accepted = [i for i, (status, body) in enumerate(answers) if status == 200 and not body]
        assert len(accepted) == 1, answers
        winner, loser = ("U0LEI1", "U0LEI2") if accepted == [0] else ("U0LEI2", "U0LEI1")
        status, body = answers[1 - accepted[0]]
        # The loser is told in the modal they submitted, in its language: named by whom.
        assert status == 200 and body["response_action"] == "update"
        said = blocks_text(body["view"]["blocks"])
        if loser == "U0LEI2":
            assert f"<@{winner}> already named experts for Leipzig." in said
        else:
            assert f"Für Leipzig hat <@{winner}> bereits Expert/innen benannt." in said
        assert "unavailable" not in said and "nicht erreichbar" not in said

        with one.session_factory() as s:
            assert s.get(ExchangeRequest, rid).status == "matched"
            named = s.exec(select(Expert.named_by, Expert.user_id)).all()
        assert named == [(winner, "U0EXP1" if winner == "U0LEI1" else second)]
        trail = _trail(one, rid)
        assert [a for _u, a, _t in trail] == ["submit", "approve", "match"]
        assert trail[-1][0] == winner
        assert len(_group_dms(one)) == 1
        assert len(_told_matched(one, "U0REQ2")) == 1
        assert _told_matched(one, loser) == []


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "de",
            "<@U0EXP1> ist für diese Anfrage schon als Expert/in benannt (von <@U0BRE3>). "
            "Bitte wählen Sie eine andere Person.",
        ),
        (
            "en",
            "<@U0EXP1> is already named as an expert for this request (by <@U0BRE3>). "
            "Please choose someone else.",
        ),
    ],
)
def test_a_person_named_by_another_city_is_refused_under_the_field(bot, lang, said):
    rid = seed(bot, state="approved", partners=("bremen", "nuernberg"))
    for user, city in (("U0BRE3", "bremen"), ("U0NUE1", "nuernberg")):
        status, body = bot.http.submit(
            callback_id=ids.VIEW_NAME_EXPERTS,
            user_id=user,
            values={ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP1"])}},
            view_id=f"VNAME{user}",
            private_metadata=small_metadata(id=rid, city=city, lang=lang),
        )
    assert status == 200
    assert body == {"response_action": "errors", "errors": {ids.B_EXPERTS: said}}
    with bot.session_factory() as s:
        assert s.get(ExchangeRequest, rid).status == "approved"
        assert s.exec(select(Expert.city_key, Expert.user_id)).all() == [("bremen", "U0EXP1")]
    assert [a for _u, a, _t in _trail(bot, rid)] == ["submit", "approve", "name"]
