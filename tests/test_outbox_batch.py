"""The outbox in batches: rate limits per method, two senders, transactions per batch."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from slack_sdk import WebClient
from sqlalchemy import event

from bot.outbox import WORKERS, Outbox, enqueue

HOME = {"type": "home", "blocks": []}


def _outbox(session_factory, fake_slack, clock) -> Outbox:
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    return Outbox(session_factory, client, clock=clock)


def _posts(session_factory, clock, n: int, *, start: int = 0) -> None:
    with session_factory.begin() as session:
        for i in range(start, start + n):
            enqueue(
                session, "chat.postMessage", {"channel": f"C{i:05d}", "text": f"m{i}"}, now=clock()
            )


def _drain(outbox: Outbox) -> None:
    while outbox.deliver_due():
        pass


def test_a_429_holds_every_row_of_that_method_until_retry_after(session_factory, fake_slack, clock):
    _posts(session_factory, clock, 30)
    with session_factory.begin() as session:
        enqueue(session, "views.publish", {"user_id": "U0REQ1", "view": HOME}, now=clock())
    fake_slack.fail("chat.postMessage", retry_after=5, times=-1)
    outbox = _outbox(session_factory, fake_slack, clock)

    outbox.deliver_due()
    first_round = len(fake_slack.calls_to("chat.postMessage"))
    # Only what was already on its way when the first 429 came back (one wave) went out.
    assert 1 <= first_round <= WORKERS
    assert len(fake_slack.delivered("views.publish")) == 1  # other methods go on
    # Within the 5 s nothing more is tried: not by this sender, not by another instance.
    other = _outbox(session_factory, fake_slack, clock)
    for seconds in (0, 2, 2.9):
        clock.advance(seconds=seconds)
        outbox.deliver_due()
        other.deliver_due()
    assert len(fake_slack.calls_to("chat.postMessage")) == first_round

    fake_slack.heal()
    clock.advance(seconds=0.2)  # now 5.1 s after the 429
    _drain(outbox)
    delivered = Counter(c.params["channel"] for c in fake_slack.delivered("chat.postMessage"))
    assert delivered == {f"C{i:05d}": 1 for i in range(30)}


def test_two_senders_at_once_send_every_row_exactly_once(session_factory, fake_slack, clock):
    _posts(session_factory, clock, 500)
    senders = [_outbox(session_factory, fake_slack, clock) for _ in range(2)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(outbox: Outbox) -> None:
        start.wait()
        try:
            _drain(outbox)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert errors == []
    delivered = Counter(c.params["channel"] for c in fake_slack.delivered("chat.postMessage"))
    assert delivered == {f"C{i:05d}": 1 for i in range(500)}
    assert senders[0].pending() == 0


@contextmanager
def _commits(session_factory) -> Iterator[list[int]]:
    seen: list[int] = []

    def count(_conn) -> None:
        seen.append(1)

    event.listen(session_factory.engine, "commit", count)
    try:
        yield seen
    finally:
        event.remove(session_factory.engine, "commit", count)


def test_a_batch_of_messages_takes_two_transactions(session_factory, fake_slack, clock):
    _posts(session_factory, clock, 200)
    outbox = _outbox(session_factory, fake_slack, clock)
    with _commits(session_factory) as commits:
        started = time.perf_counter()
        _drain(outbox)
        took = time.perf_counter() - started

    assert len(fake_slack.delivered("chat.postMessage")) == 200
    batches = 200 // 50
    # claim + finish per batch, and one claim that finds nothing per deliver_due call.
    assert len(commits) <= 2 * batches + 2, (len(commits), took)


class _SlowFirstPost(WebClient):
    """Slack answering one conversation's first post late (the client waits for it): the
    network's latency, in front of the fake."""

    def api_call(self, api_method: str, **kwargs):  # type: ignore[no-untyped-def]
        if (kwargs.get("json") or {}).get("text") == "a1":
            time.sleep(SLOW)
        return super().api_call(api_method, **kwargs)


SLOW = 1.5  # the other seven posts need far less, even on two busy cores


def test_a_slow_conversation_holds_back_no_other_and_each_keeps_its_order(
    session_factory, fake_slack, clock
):
    """C0's three posts go out in order, its first answered late; meanwhile the free
    workers send the other conversations (they do not wait for the slowest of a wave)."""
    with session_factory.begin() as session:
        for text in ("a1", "a2", "a3"):
            enqueue(session, "chat.postMessage", {"channel": "C0", "text": text}, now=clock())
        for i in range(1, 8):
            enqueue(session, "chat.postMessage", {"channel": f"C{i}", "text": f"b{i}"}, now=clock())
    client = _SlowFirstPost(token="xoxb-test", base_url=fake_slack.url)
    outbox = Outbox(session_factory, client, clock=clock)

    _drain(outbox)

    posts = fake_slack.delivered("chat.postMessage")
    assert [c.params["text"] for c in posts if c.params["channel"] == "C0"] == ["a1", "a2", "a3"]
    first = next(c.at for c in posts if c.params["text"] == "a1")
    others = [c.at for c in posts if c.params["channel"] != "C0"]
    assert len(others) == 7 and max(others) < first


def test_an_enqueued_row_is_written_with_every_column_as_the_model_defaults_it(
    session_factory, clock
):
    """`enqueue` keeps plain rows (no ORM object) and writes them with Core: each column
    but the id is given, at the model's own default unless the row says otherwise."""
    from sqlmodel import select

    from bot.outbox.writer import Enqueued
    from models import OutboxMessage

    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    row = Enqueued("chat.postMessage", {"channel": "C1", "text": "x"}, 7, clock(), clock())
    assert set(row.values()) == {c.name for c in table.columns} - {"id"}
    model = OutboxMessage(method="chat.postMessage", payload={}, created_at=clock())
    for name, value in row.values().items():
        if name not in ("request_id", "method", "payload", "created_at", "next_attempt_at"):
            assert value == getattr(model, name), name
    with session_factory.begin() as session:
        enqueue(
            session, "chat.postMessage", {"channel": "C1", "text": "x"}, request_id=7, now=clock()
        )
    with session_factory() as session:
        stored = session.exec(select(OutboxMessage)).one()
    assert (stored.request_id, stored.method, stored.recipient) == (7, "chat.postMessage", "c:C1")
    assert (stored.attempts, stored.dead, stored.sent_at, stored.last_error) == (
        0,
        False,
        None,
        None,
    )
    assert stored.created_at == stored.next_attempt_at == clock()


class _HeldPost(WebClient):
    """Slack taking one post only when the test lets it (the client waits meanwhile)."""

    def __init__(self, text: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.text = text
        self.waiting = threading.Event()
        self.answer = threading.Event()

    def api_call(self, api_method: str, **kwargs):  # type: ignore[no-untyped-def]
        if (kwargs.get("json") or {}).get("text") == self.text:
            self.waiting.set()
            self.answer.wait(30)
        return super().api_call(api_method, **kwargs)


def test_another_instance_leaves_a_conversation_whose_older_message_is_on_its_way(
    session_factory, fake_slack, clock
):
    """Instance A is sending a DM; B finds a newer one to the same person due and leaves it
    (sent side by side, Slack could get them in either order): the person gets them in the
    order written."""
    with session_factory.begin() as session:
        enqueue(session, "chat.postMessage", {"channel": "U1", "text": "first"}, now=clock())
    held = _HeldPost("first", token="xoxb-test", base_url=fake_slack.url)
    a = Outbox(session_factory, held, clock=clock)
    sending = threading.Thread(target=_drain, args=(a,))
    sending.start()
    try:
        assert held.waiting.wait(30)
        with session_factory.begin() as session:
            enqueue(session, "chat.postMessage", {"channel": "U1", "text": "second"}, now=clock())
            enqueue(session, "chat.postMessage", {"channel": "U2", "text": "other"}, now=clock())
        b = _outbox(session_factory, fake_slack, clock)
        b.deliver_due()
        assert [c.params["text"] for c in fake_slack.delivered("chat.postMessage")] == ["other"]
    finally:
        held.answer.set()
        sending.join(30)
    _drain(b)
    posts = fake_slack.delivered("chat.postMessage")
    assert [c.params["text"] for c in posts if c.params["channel"] == "U1"] == ["first", "second"]
    assert len(posts) == 3


def test_a_conversation_goes_on_with_the_next_batch_while_a_slow_one_is_still_sending(
    session_factory, fake_slack, clock
):
    """C1's post is answered late; C0's 60 posts (more than a batch) go out meanwhile, in
    order: the rows of the next batch need not wait for the end of the first."""
    with session_factory.begin() as session:
        enqueue(session, "chat.postMessage", {"channel": "C1", "text": "a1"}, now=clock())
        for i in range(60):
            enqueue(session, "chat.postMessage", {"channel": "C0", "text": f"c{i}"}, now=clock())
    client = _SlowFirstPost(token="xoxb-test", base_url=fake_slack.url)
    outbox = Outbox(session_factory, client, clock=clock)

    _drain(outbox)

    posts = fake_slack.delivered("chat.postMessage")
    c0 = [c for c in posts if c.params["channel"] == "C0"]
    assert [c.params["text"] for c in c0] == [f"c{i}" for i in range(60)]
    slow = next(c.at for c in posts if c.params["text"] == "a1")
    assert max(c.at for c in c0) < slow


def test_a_round_that_took_every_due_row_looks_for_due_rows_once(
    session_factory, fake_slack, clock
):
    """One person's action leaves a few rows: the sender claims them, sends them and notes
    them, without a second look for due rows (nothing was committed since; a commit would
    have woken it), which cost each action a claim statement and, on PostgreSQL, a turn."""
    _posts(session_factory, clock, 3)
    outbox = _outbox(session_factory, fake_slack, clock)
    looks: list[str] = []

    def statement(_conn, _cursor, sql: str, *_args) -> None:
        if sql.startswith("SELECT") and "FROM outbox_message" in sql and "ORDER BY CASE" in sql:
            looks.append(sql)

    event.listen(session_factory.engine, "before_cursor_execute", statement)
    try:
        assert outbox.deliver_due() == 3
    finally:
        event.remove(session_factory.engine, "before_cursor_execute", statement)
    assert len(looks) == 1
    assert len(fake_slack.delivered("chat.postMessage")) == 3
    # Noted as sent: the next round finds nothing to send again.
    assert outbox.deliver_due() == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == 3
    # Rows committed while a round sends are still found by that round: the commit kicks
    # (as the app's listeners do after theirs), and the round claims again.
    fake_slack.fail("chat.postMessage", delay=0.3, times=1)
    _posts(session_factory, clock, 1, start=3)
    round_sent: list[int] = []
    sender = threading.Thread(target=lambda: round_sent.append(outbox.deliver_due()))
    sender.start()
    fake_slack.wait_for("chat.postMessage", count=4)  # the round's post is on its way
    _posts(session_factory, clock, 2, start=4)
    outbox.kick()
    sender.join(10)
    assert round_sent == [3]
    assert len(fake_slack.delivered("chat.postMessage")) == 6


@pytest.mark.parametrize("workers", [WORKERS, 1])
def test_a_dm_that_goes_back_for_its_retry_keeps_its_place_in_the_conversation(
    session_factory, fake_slack, clock, workers
):
    """Slack fails the first of three DMs to one person (HTTP 500): the two after it do not
    overtake it, in that round or the next ones, while another person's DMs go on; once its
    retry is due the three arrive in the order written."""
    with session_factory.begin() as session:
        for i in range(3):
            enqueue(
                session, "chat.postMessage", {"channel": "D0ANNA", "text": f"a{i}"}, now=clock()
            )
    fake_slack.fail("chat.postMessage", status=500, times=1)
    outbox = _outbox(session_factory, fake_slack, clock)

    def texts(channel: str) -> list[str]:
        return [
            c.params["text"]
            for c in fake_slack.delivered("chat.postMessage")
            if c.params["channel"] == channel
        ]

    outbox.deliver_due(workers=workers)
    with session_factory.begin() as session:  # another person's DM meanwhile
        enqueue(session, "chat.postMessage", {"channel": "D0BEN", "text": "b0"}, now=clock())
    outbox.deliver_due(workers=workers)  # a round before the retry is due
    assert texts("D0ANNA") == []
    assert texts("D0BEN") == ["b0"]
    assert outbox.pending() == 3
    clock.advance(seconds=120)
    while outbox.deliver_due(workers=workers):
        pass
    assert texts("D0ANNA") == ["a0", "a1", "a2"]
    assert outbox.pending() == 0
