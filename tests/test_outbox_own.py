"""An action's own thread sends the outbox rows it just committed (issue 24), without a claim
round of the background sender: claimed by their ids with a conditional UPDATE, so a row
goes out exactly once however the background sender races for it, a conversation's
messages keep their order, Slack's 429 holds are kept, and a crash after the claim leaves
the row to the background sender.

On SQLite and PostgreSQL; the races run truly at once (threads)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlmodel import col, select

from bot.outbox import Outbox, enqueue
from bot.outbox.writer import take_written
from models import OutboxMessage
from tests.flows import dms_to, submit_request

REQUESTER, CONTACTS = "U0REQ1", ("U0LEI1", "U0LEI2")


def _outbox(session_factory: Any, fake_slack: Any, clock: Any, **kw: Any) -> Outbox:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    return Outbox(session_factory, client, clock=clock, own_sending=True, **kw)


def _write(session_factory: Any, clock: Any, *messages: tuple[str, str]) -> None:
    """One transaction (an action) writes DMs: (channel, text) each."""
    with session_factory.begin() as session:
        for channel, text in messages:
            enqueue(session, "chat.postMessage", {"channel": channel, "text": text}, now=clock())


def _posted(fake_slack: Any) -> list[tuple[str, str]]:
    return [
        (c.params["channel"], c.params["text"]) for c in fake_slack.delivered("chat.postMessage")
    ]


def _unsent(session_factory: Any) -> list[OutboxMessage]:
    with session_factory() as s:
        return list(
            s.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.dead).is_(False))
                .order_by(col(OutboxMessage.id))
            ).all()
        )


class _Sender:
    """A background sender that only sends when this test tells it to (`deliver_due`):
    `start` with an hour's interval, so a kick is what wakes it, and kicks are counted."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self.kicks = 0
        outbox.kick = self._kicked  # type: ignore[method-assign]

    def _kicked(self) -> None:
        self.kicks += 1


@pytest.fixture
def running_sender(bot: Any) -> Any:
    """The bot's background sender running (as in production), woken only by kicks."""
    outbox = bot.services.outbox
    outbox.start(3600)
    outbox.deliver_due()  # what the start-up left
    yield outbox
    outbox.stop()


def test_a_submission_wakes_the_background_sender_for_its_dms(bot, running_sender):
    """With the background sender running, the submission's thread leaves its rows to it and
    wakes it (`Outbox.send_written` is not switched on yet); the sender then sends each once."""
    kicks = []
    running_sender.kick = lambda: kicks.append(1)
    submit_request(bot, REQUESTER)
    assert kicks and all(dms_to(bot, user) == [] for user in (REQUESTER, *CONTACTS))
    assert len(_unsent(bot.session_factory)) >= 1 + len(CONTACTS)
    running_sender.deliver_due()
    for user in (REQUESTER, *CONTACTS):
        assert len(dms_to(bot, user)) == 1, user
    assert _unsent(bot.session_factory) == []


def test_an_action_that_writes_nothing_wakes_no_sender(bot, running_sender):
    """Opening the form or asking for one's list writes no outbox row: the background sender
    is not woken for a claim round (a transaction that would find nothing); the next
    submission wakes it."""
    kicks = []
    running_sender.kick = lambda: kicks.append(1)
    assert bot.http.command(user_id=REQUESTER, text="")[0] == 200
    assert [c.method for c in bot.slack.calls if c.method == "views.open"] == ["views.open"]
    assert bot.http.command(user_id=REQUESTER, text="list")[0] == 200
    assert kicks == []
    submit_request(bot, REQUESTER)
    assert kicks == [1]


def test_a_dm_waits_behind_an_older_unsent_one_of_its_conversation(
    session_factory, fake_slack, clock
):
    """An earlier DM to U1 failed (Slack 500) and waits for its retry: a new action's DM to
    U1 is not sent ahead of it by the action's thread (the background sender is woken and
    sends both in order once the first is due), while its DM to U2 goes out at once."""
    outbox = _outbox(session_factory, fake_slack, clock)
    sender = _Sender(outbox)
    fake_slack.fail("chat.postMessage", status=500)
    _write(session_factory, clock, ("U1", "first"))
    outbox.send_written()
    assert _posted(fake_slack) == []
    [waiting] = _unsent(session_factory)
    assert waiting.next_attempt_at > clock() + timedelta(seconds=2)  # in its backoff
    clock.advance(seconds=1.5)  # (right after a row was left, actions leave theirs too)

    _write(session_factory, clock, ("U1", "second"), ("U2", "other"))
    kicks = sender.kicks
    outbox.send_written()
    assert _posted(fake_slack) == [("U2", "other")]
    assert sender.kicks > kicks  # the DM it left is the background sender's now

    clock.advance(seconds=60)
    outbox.deliver_due()
    assert _posted(fake_slack) == [("U2", "other"), ("U1", "first"), ("U1", "second")]


def test_a_dm_waits_behind_an_older_one_another_sender_is_sending(
    session_factory, fake_slack, clock
):
    """The background sender has claimed an older DM to U1 and is sending it (Slack answers
    late): a new action's DM to U1 is left to the background sender, not sent beside it."""
    outbox = _outbox(session_factory, fake_slack, clock)
    _Sender(outbox)
    earlier = threading.Thread(target=_write, args=(session_factory, clock, ("U1", "first")))
    earlier.start()  # another action's thread, which leaves it to the background sender
    earlier.join()
    fake_slack.fail("chat.postMessage", delay=2)
    busy = threading.Thread(target=outbox.deliver_due)
    busy.start()
    fake_slack.wait_for("chat.postMessage")  # on its way
    _write(session_factory, clock, ("U1", "second"))
    outbox.send_written()
    assert [c.params["text"] for c in fake_slack.calls_to("chat.postMessage")] == ["first"]
    busy.join()  # the background sender sends it after the first, in its next batch
    outbox.deliver_due()
    assert _posted(fake_slack) == [("U1", "first"), ("U1", "second")]


def test_the_actions_thread_and_the_background_sender_racing_send_each_row_once(
    session_factory, fake_slack, clock
):
    """Actions write DMs (two to the same person each) and send them in their own threads
    while the background sender runs and is woken by them: every DM goes out exactly once,
    and each person's DMs in the order written."""
    outbox = _outbox(session_factory, fake_slack, clock)
    errors: list[BaseException] = []

    def action(n: int) -> None:
        try:
            for i in range(6):
                user = f"U{n}{i % 2}"
                _write(session_factory, clock, (user, f"{n}-{i}-a"), (user, f"{n}-{i}-b"))
                outbox.send_written()
                clock.advance(seconds=0.5)  # (the fast path waits a second after a row left)
        except Exception as exc:  # the test fails on it below
            errors.append(exc)

    outbox.start(0.01)
    try:
        actions = [threading.Thread(target=action, args=(n,)) for n in range(4)]
        for t in actions:
            t.start()
        for t in actions:
            t.join()
    finally:
        outbox.stop()
    assert errors == []
    clock.advance(seconds=60)
    outbox.deliver_due()
    posted = _posted(fake_slack)
    assert Counter(posted) == Counter(
        {(f"U{n}{i % 2}", f"{n}-{i}-{x}"): 1 for n in range(4) for i in range(6) for x in "ab"}
    )
    for n in range(4):
        for parity in (0, 1):
            user = f"U{n}{parity}"
            texts = [t for c, t in posted if c == user]
            assert texts == [f"{n}-{i}-{x}" for i in range(parity, 6, 2) for x in "ab"], user


def test_while_the_background_sender_is_sending_an_action_leaves_its_rows_to_it(
    session_factory, fake_slack, clock
):
    """The background sender is in a round (Slack answers it late): an action's thread
    does not claim its DM beside it (a burst goes out in the sender's batches); the
    sender, woken, sends it after its round."""
    outbox = _outbox(session_factory, fake_slack, clock)
    earlier = threading.Thread(target=_write, args=(session_factory, clock, ("U1", "first")))
    earlier.start()  # another action's, left to the background sender
    earlier.join()
    fake_slack.fail("chat.postMessage", delay=1)
    outbox.start(3600)
    try:
        fake_slack.wait_for("chat.postMessage")  # its round is on its way
        _write(session_factory, clock, ("U2", "mine"))
        outbox.send_written()
        assert [c.params["text"] for c in fake_slack.calls_to("chat.postMessage")] == ["first"]
        fake_slack.wait_for("chat.postMessage", count=2, timeout=10)
    finally:
        outbox.stop()
    assert _posted(fake_slack) == [("U1", "first"), ("U2", "mine")]


def test_a_held_method_is_not_sent_by_the_actions_thread(session_factory, fake_slack, clock):
    """Slack said 429 with Retry-After to an earlier post: an action's DM waits for it,
    and goes out (once) when the hold is over."""
    outbox = _outbox(session_factory, fake_slack, clock)
    _Sender(outbox)
    fake_slack.fail("chat.postMessage", retry_after=30)
    _write(session_factory, clock, ("U1", "limited"))
    outbox.send_written()  # meets the 429: chat.postMessage held for 30 s
    _write(session_factory, clock, ("U2", "later"))
    outbox.send_written()
    assert _posted(fake_slack) == []
    clock.advance(seconds=31)
    outbox.deliver_due()
    assert sorted(_posted(fake_slack)) == [("U1", "limited"), ("U2", "later")]


class _Died(BaseException):
    """The process is gone: nothing after the call runs (not even a note)."""


def test_an_action_dying_after_slack_took_its_dm_leaves_it_to_the_sender_not_twice(
    session_factory, fake_slack, clock
):
    """The action's thread claimed its DM, Slack posted it, and the process died before
    noting it: the claim runs out, and the background sender finds the DM in the
    conversation instead of posting it again."""

    class Dying(WebClient):
        def api_call(self, *args: Any, **kwargs: Any) -> Any:
            super().api_call(*args, **kwargs)
            raise _Died

    dying = Dying(token="xoxb-test", base_url=fake_slack.url)
    outbox = Outbox(session_factory, dying, clock=clock, own_sending=True)
    _write(session_factory, clock, ("U1", "once"))
    with pytest.raises(_Died):
        outbox.send_written()
    assert _posted(fake_slack) == [("U1", "once")]
    survivor = _outbox(session_factory, fake_slack, clock)
    survivor.deliver_due()
    assert _posted(fake_slack) == [("U1", "once")]  # still claimed by the dead one
    clock.advance(seconds=61)
    survivor.deliver_due()
    assert _posted(fake_slack) == [("U1", "once")]
    assert _unsent(session_factory) == []


def test_an_outbox_that_does_not_send_in_the_action_thread_keeps_nothing_for_it(
    session_factory, fake_slack, clock
):
    """As the app runs now (`own_sending` off): an action's commit keeps no rows for its
    thread, so a thread that never sends them holds none; the background sender sends all."""
    outbox = Outbox(
        session_factory, WebClient(token="xoxb-test", base_url=fake_slack.url), clock=clock
    )
    _write(session_factory, clock, ("U1", "one"), ("U2", "two"))
    assert take_written(session_factory) == []
    outbox.deliver_due()
    assert sorted(_posted(fake_slack)) == [("U1", "one"), ("U2", "two")]
