"""The outbox under Slack failures, and the decision race, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

from sqlmodel import select

from bot.domain.errors import Refused
from bot.slack import ids
from bot.usecases import decisions
from models import ExchangeRequest, OutboxMessage
from tests.flows import click, dms_to, last_dm, submit_request


def _pending(bot) -> list[OutboxMessage]:
    with bot.session_factory() as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.sent_at == None)).all())  # noqa: E711


def _drain(bot, seconds: float = 3600) -> None:
    """Let time pass and run the background sender until nothing is due."""
    bot.clock.advance(seconds=seconds)
    while bot.services.outbox.deliver_due():
        pass


def test_slack_outage_loses_nothing_and_doubles_nothing(bot):
    bot.slack.fail("chat.postMessage", status=500, times=-1)
    status, body = submit_request(bot, "U0REQ1")
    assert status == 200 and not body  # the modal closes: the request is safe
    with bot.session_factory() as s:
        assert s.exec(select(ExchangeRequest)).one().status == "submitted"
    assert bot.slack.delivered("chat.postMessage") == []
    assert len(_pending(bot)) == 3  # requester + two contacts

    # Slack recovers for a moment: the contact's message arrives, then fails again.
    bot.slack.heal()
    _drain(bot)
    assert len(bot.slack.delivered("chat.postMessage")) == 3
    bot.slack.fail("chat.postMessage", status=500, times=-1)
    bot.slack.fail("chat.update", status=500, times=-1)
    status, _ = click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    assert status == 200
    with bot.session_factory() as s:
        assert s.exec(select(ExchangeRequest)).one().status == "approved"
    assert len(_pending(bot)) > 0
    for _ in range(3):  # more failed rounds: retried, never given up
        _drain(bot, 60)
    bot.slack.heal()
    _drain(bot)
    assert _pending(bot) == []
    posted = Counter(
        (c.params["channel"], c.params["text"]) for c in bot.slack.delivered("chat.postMessage")
    )
    assert all(n == 1 for n in posted.values()), posted
    assert len(posted) == 3 + 1 + 1 + 1  # + approved DM, Bremen's naming request, coordinator
    updated = Counter(c.params["ts"] for c in bot.slack.delivered("chat.update"))
    assert sorted(updated.values()) == [1, 1, 1]  # two decision copies, the confirmation


def test_rate_limit_waits_for_retry_after(bot):
    bot.slack.fail("chat.postMessage", status=429, retry_after=30, times=1)
    submit_request(bot, "U0REQ1")
    first_try = [c for c in bot.slack.calls_to("chat.postMessage") if c.failed]
    assert len(first_try) == 1
    delivered = len(bot.slack.delivered("chat.postMessage"))
    with bot.session_factory() as s:
        waiting = s.exec(select(OutboxMessage).where(OutboxMessage.sent_at == None)).all()  # noqa: E711
    # Slack asked to wait 30 s for chat.postMessage: every DM waits, not only the refused one.
    assert waiting and {r.method for r in waiting} == {"chat.postMessage"}
    assert {(r.next_attempt_at - bot.clock()).total_seconds() for r in waiting} == {30}
    bot.clock.advance(seconds=20)
    bot.services.outbox.deliver_due()
    assert len(bot.slack.delivered("chat.postMessage")) == delivered
    bot.clock.advance(seconds=11)
    bot.services.outbox.deliver_due()
    assert len(bot.slack.delivered("chat.postMessage")) == delivered + len(waiting)


def test_permanent_error_is_reported_to_the_coordinators(bot, caplog):
    bot.slack.fail("chat.postMessage", error="channel_not_found", times=1)
    submit_request(bot, "U0REQ1")
    with bot.session_factory() as s:
        dead = s.exec(select(OutboxMessage).where(OutboxMessage.dead == True)).all()  # noqa: E712
    assert len(dead) == 1 and dead[0].last_error == "channel_not_found"
    report = last_dm(bot, "U0COORD1")
    assert "#1" in report.params["text"] and "channel_not_found" in report.params["text"]
    assert any(
        "request 1" in r.getMessage() and "channel_not_found" in r.getMessage()
        for r in caplog.records
    )


def test_timeout_is_retried(bot):
    bot.slack.answer_late(bot.services.client, "chat.postMessage")
    submit_request(bot, "U0REQ1")
    assert len(_pending(bot)) == 1
    _drain(bot)
    assert _pending(bot) == []


def test_two_contacts_deciding_at_once_exactly_one_wins(bot):
    for round_ in range(5):
        submit_request(bot, "U0REQ1", view_id=f"VRACE{round_}")
    with bot.session_factory() as s:
        request_ids = [r.id for r in s.exec(select(ExchangeRequest)).all()]
    for request_id in request_ids:
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def decide(
            user: str, choice: str, barrier=barrier, request_id=request_id, outcomes=outcomes
        ) -> None:
            barrier.wait()
            try:
                decisions.decide(
                    bot.session_factory,
                    request_id,
                    1,
                    choice,
                    actor=user,
                    comment="nein" if choice == "decline" else None,
                    ctx=bot.services.context(),
                    now=bot.clock(),
                )
                outcomes.append(f"won:{user}")
            except Refused as refused:
                outcomes.append(refused.key)

        threads = [
            threading.Thread(target=decide, args=("U0LEI1", "approve")),
            threading.Thread(target=decide, args=("U0LEI2", "decline")),
        ]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert sorted(o.split(":")[0] for o in outcomes) == ["refused.already", "won"], outcomes
        with bot.session_factory() as s:
            request = s.get(ExchangeRequest, request_id)
        winner = next(o for o in outcomes if o.startswith("won")).split(":")[1]
        assert request.decided_by == winner
        assert request.status == ("approved" if winner == "U0LEI1" else "declined")
    # The requester hears of exactly one decision per request.
    bot.services.outbox.deliver_due()
    told = [
        c
        for c in dms_to(bot, "U0REQ1")
        if "genehmigt" in c.params["text"] or "abgelehnt" in c.params["text"]
    ]
    assert len(told) == len(request_ids)
