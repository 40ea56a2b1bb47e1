"""The outbox under races and faults (issue 20, item 11): a withdrawal while the sender
updates the same message, a look for a posted message in a busy conversation, a deadlock
in the 429 hold, and a click on a message Slack shows before the sender noted it.

The actions run truly at once (threads, two sessions, on SQLite and PostgreSQL) or the
fault is injected where the database would raise it."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select

from bot.outbox import OBSOLETE, Outbox, enqueue
from bot.slack import ids
from models import ActionMessage, ExchangeRequest, OutboxMessage
from tests import payloads as p
from tests.flows import click, dms_to, last_dm, replies, submit_request

REQUESTER, CONTACT = "U0REQ1", "U0LEI1"
PARTNERS = ("U0BRE1", "U0BRE3", "U0NUE1")  # who is asked to name experts after approval


def _drain(bot: Any, seconds: float = 3600) -> None:
    bot.slack.heal()
    bot.clock.advance(seconds=seconds)
    while bot.services.outbox.deliver_due():
        pass


def _rows(bot: Any) -> list[OutboxMessage]:
    with bot.session_factory() as s:
        return list(s.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def _posts(bot: Any, noise: str = "noise") -> Counter[tuple[str, str]]:
    return Counter(
        (c.response["channel"], c.params["text"])
        for c in bot.slack.delivered("chat.postMessage")
        if not c.params["text"].startswith(noise)
    )


def _busy(bot: Any, users: tuple[str, ...], n: int = 120) -> None:
    """Many messages in these people's DMs after the bot's (they chat with the bot's DM
    open, other apps post): more than one page of conversations.history."""
    client = WebClient(token="xoxb-other", base_url=bot.slack.url)
    for user in users:
        for i in range(n):
            client.chat_postMessage(channel=user, text=f"noise {i}")


def _request(bot: Any) -> ExchangeRequest:
    with bot.session_factory() as s:
        return s.exec(select(ExchangeRequest)).one()


def test_a_withdrawal_while_the_sender_updates_its_confirmation_loses_no_note(bot):
    """The approval's batch is on its way (Slack answers each update late) when the
    requester withdraws: the withdrawal makes the confirmation's waiting update obsolete,
    the sender notes its whole batch anyway, and nothing is posted twice, even after many
    messages in the same DMs."""
    submit_request(bot, REQUESTER)
    confirmation = dms_to(bot, REQUESTER)[0]
    bot.slack.fail("chat.update", delay=0.6, times=-1)  # Slack does it, answers late
    answers: list[Any] = []
    approve = threading.Thread(
        target=lambda: answers.append(click(bot, CONTACT, last_dm(bot, CONTACT), ids.A_APPROVE))
    )
    approve.start()
    bot.slack.wait_for("chat.update")  # the approval's batch is being sent
    request = _request(bot)
    assert request.status == "approved"
    withdrawn = bot.http.click(
        action_id=ids.A_CANCEL,
        value=f"{request.id}:{request.version}",
        user_id=REQUESTER,
        channel_id=confirmation.response["channel"],
        message_ts=confirmation.response["ts"],
        response_url=bot.slack.response_url("w"),
    )
    approve.join(timeout=30)
    assert answers == [(200, "")] and withdrawn == (200, "")
    assert replies(bot, "w") == []
    assert _request(bot).status == "cancelled"

    # Every message Slack took is noted at once: none waits for its claim to run out.
    noted = {(r.result_channel, r.result_ts) for r in _rows(bot) if r.sent_at is not None}
    for call in bot.slack.delivered("chat.postMessage"):
        assert (call.response["channel"], call.response["ts"]) in noted, call.params["text"]
    # The update the sender was sending was not deleted under it: it is noted as sent.
    confirmation_updates = [
        c
        for c in bot.slack.delivered("chat.update")
        if c.params["ts"] == confirmation.response["ts"]
    ]
    with bot.session_factory() as s:
        [tracked] = s.exec(
            select(ActionMessage).where(ActionMessage.ts == confirmation.response["ts"])
        ).all()
    sent_updates = [
        r
        for r in _rows(bot)
        if r.action_message_id == tracked.id and r.method == "chat.update" and r.sent_at
    ]
    assert len(sent_updates) >= len(confirmation_updates) - 1  # the last may still wait

    _busy(bot, (REQUESTER, *PARTNERS))
    _drain(bot)

    assert all(n == 1 for n in _posts(bot).values()), _posts(bot)
    [shown] = [
        m
        for m in bot.slack.messages(confirmation.response["channel"])
        if m["ts"] == confirmation.response["ts"]
    ]
    assert "zurückgezogen" in shown["text"].lower()
    for row in _rows(bot):  # nothing lost: every row sent, or obsolete
        assert row.sent_at is not None or (row.last_error or "").startswith(OBSOLETE), row


def test_a_post_that_timed_out_is_found_however_many_messages_came_after(bot):
    """Slack took the confirmation but answered too late; 250 messages follow in that DM
    before the sender looks: it finds its message (by the marker in its metadata, paging
    back to when the row was written) and does not post it again."""
    bot.slack.answer_late(bot.services.client, "chat.postMessage")
    submit_request(bot, REQUESTER)
    _busy(bot, (REQUESTER,), 250)
    _drain(bot, 60)

    confirmations = [c for c in dms_to(bot, REQUESTER) if not c.params["text"].startswith("noise")]
    assert len(confirmations) == 1, [c.params["text"] for c in confirmations]
    assert all(n == 1 for n in _posts(bot).values()), _posts(bot)
    assert len(bot.slack.delivered("conversations.history")) >= 2  # it paged back
    [row] = [
        r
        for r in _rows(bot)
        if r.method == "chat.postMessage" and r.payload["channel"] == REQUESTER
    ]
    assert (row.result_channel, row.result_ts) == (
        confirmations[0].response["channel"],
        confirmations[0].response["ts"],
    )


def _deadlock(database_url: str) -> BaseException:
    if database_url.startswith("postgresql"):
        from psycopg.errors import DeadlockDetected

        return DeadlockDetected("deadlock detected")
    return sqlite3.OperationalError("database is locked")


def test_a_deadlock_in_the_429_hold_is_tried_again_not_a_lost_batch(
    session_factory, fake_slack, clock, database_url
):
    """The hold's UPDATE is chosen as a deadlock's victim once: it is tried again, the
    rows of the batch that went out are noted, and no instance sends the held method
    before Retry-After."""
    with session_factory.begin() as session:
        for i in range(8):
            enqueue(
                session, "chat.postMessage", {"channel": f"C{i:03d}", "text": f"m{i}"}, now=clock()
            )
    # The 429 comes late, so the other workers' posts are out before it (on a busy machine
    # they were not always, and nothing of the first wave went out).
    fake_slack.fail("chat.postMessage", retry_after=5, delay=0.3, times=1)
    victims: list[str] = []

    def deadlock_once(conn: Any, cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if not victims and sql.startswith("UPDATE outbox_message SET next_attempt_at"):
            victims.append(sql)
            raise OperationalError(sql, params, _deadlock(database_url))

    event.listen(session_factory.engine, "before_cursor_execute", deadlock_once)
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    outbox = Outbox(session_factory, client, clock=clock)
    try:
        outbox.deliver_due()
    finally:
        event.remove(session_factory.engine, "before_cursor_execute", deadlock_once)
    assert victims  # the fault did hit

    went_out = {c.params["channel"] for c in fake_slack.delivered("chat.postMessage")}
    assert went_out  # the rest of the first wave
    with session_factory() as s:
        rows = s.exec(select(OutboxMessage)).all()
    assert {r.payload["channel"] for r in rows if r.sent_at is not None} == went_out
    # Held in the database: another instance sends nothing before Retry-After.
    other = Outbox(session_factory, client, clock=clock)
    clock.advance(seconds=4)
    other.deliver_due()
    assert {c.params["channel"] for c in fake_slack.delivered("chat.postMessage")} == went_out
    clock.advance(seconds=1.5)
    while other.deliver_due():
        pass
    delivered = Counter(c.params["channel"] for c in fake_slack.delivered("chat.postMessage"))
    assert delivered == {f"C{i:03d}": 1 for i in range(8)}


def test_a_click_on_a_message_posted_but_not_yet_noted_is_taken(bot, production_note_wait):
    """Slack shows the decision DM while its sender still sends the rest of the batch (a
    Home tab, slow to publish) and has not noted where the DM went: the contact's click
    approves, it is not refused as a request that does not exist."""
    assert bot.http.event(p.app_home_opened(user_id=CONTACT))[0] == 200
    bot.slack.clear()
    bot.slack.fail("views.publish", delay=2.5, times=1)
    submitted: list[Any] = []
    filing = threading.Thread(target=lambda: submitted.append(submit_request(bot, REQUESTER)))
    filing.start()
    bot.slack.wait_for("views.publish")  # the messages are posted; the batch is not noted
    dm = last_dm(bot, CONTACT)
    with bot.session_factory() as s:
        assert (
            s.exec(select(OutboxMessage).where(OutboxMessage.result_ts == dm.response["ts"])).all()
            == []
        )  # not noted yet

    answer = click(bot, CONTACT, dm, ids.A_APPROVE, name="a")
    filing.join(timeout=30)

    assert submitted == [(200, "")]
    assert answer == (200, "") and replies(bot, "a") == []
    assert _request(bot).status == "approved"
