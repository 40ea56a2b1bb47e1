"""What a claim reads: which due rows must wait for an earlier one, what the claimed rows
need for sending, and which rows are sent in order (lanes)."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, or_, text, update
from sqlalchemy.orm import aliased
from sqlalchemy.sql.dml import ReturningUpdate, Update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from bot.outbox.calls import FILE_DM, GROUP_DM, HOME_REFRESH, POST, UPDATE
from bot.outbox.limits import HomeWindow
from bot.outbox.notes import Claimed, Outcome
from bot.outbox.writer import MESSAGES
from models import ActionMessage, OutboxMessage

CLAIM = timedelta(seconds=60)
# PostgreSQL: claims take their turns (a transaction-scoped advisory lock), so a claim sees
# the rows the claim before it took, committed ("crob").
CLAIM_LOCK_KEY = 0x6372_6F62


def take_turn(session: Session, *, wait: bool = True) -> bool:
    """Wait for the claims of other senders and instances to commit (PostgreSQL; on SQLite
    the write transaction is the turn already); without `wait`, False when another claim
    has the turn now. A transaction that waits for the turn holds no lock others wait
    for while holding the turn (the background sender's claims lock only their own rows
    before it, and skip locked rows after it; an action's claim never waits)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    lock = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    got = session.execute(text(f"SELECT {lock}(:key)"), {"key": CLAIM_LOCK_KEY}).scalar()
    return wait or bool(got)


# Posts: a message of a conversation that keeps its place while it waits for its retry.
# (An update changes an older message: one waiting for its retry holds no other back.)
POSTS = (POST, GROUP_DM, FILE_DM)


def in_order(ours: bool) -> ColumnElement[bool]:
    """A message is not claimed while a message of its conversation (`recipient`) is
    claimed by another sender or instance (on its way there): sent side by side, the two
    could reach Slack in either order. Parameters: now, and with `ours` the rows this
    sender claimed and sends first.

    (One look at the conversations claimed elsewhere, not one per due row: in a burst
    thousands of rows wait behind another instance's.)"""
    row, other = OutboxMessage, aliased(OutboxMessage)
    on_its_way = and_(
        col(other.claimed_until) > bindparam("now"),
        *([col(other.id).notin_(bindparam("ours", expanding=True))] if ours else []),
    )
    # A post that went back to wait for its retry keeps its place too: the later ones of
    # its conversation wait for it (an update holds none back: `lanes.holds_back`).
    waits_for_retry = and_(
        col(other.method).in_(POSTS),
        col(other.attempts) > 0,
        col(other.next_attempt_at) > bindparam("now"),
    )
    elsewhere = select(other.recipient).where(
        col(other.method).in_(MESSAGES),
        col(other.recipient).is_not(None),
        col(other.sent_at).is_(None),
        col(other.dead).is_(False),
        or_(on_its_way, waits_for_retry),
    )
    return or_(
        col(row.method).notin_(MESSAGES),
        col(row.recipient).is_(None),
        col(row.recipient).notin_(elsewhere),
    )


# The statements of a claim are built once (per shape) and run with the call's values as
# parameters: building them (and their cache keys) anew cost more than running them.


def _claimable() -> Any:
    return or_(
        col(OutboxMessage.claimed_until).is_(None),
        col(OutboxMessage.claimed_until) < bindparam("now"),
    )


@functools.cache
def _due_rows(batch: int, held: bool, skip: bool, ours: bool) -> SelectOfScalar[OutboxMessage]:
    """Due rows, in order (parameters: now, and held, skip, ours when given)."""
    due = [
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.dead).is_(False),
        col(OutboxMessage.next_attempt_at) <= bindparam("now"),
        _claimable(),
        in_order(ours),
    ]
    if held:
        due.append(col(OutboxMessage.method).notin_(bindparam("held", expanding=True)))
    if skip:
        due.append(col(OutboxMessage.id).notin_(bindparam("skip", expanding=True)))
    return (
        select(OutboxMessage)
        .where(*due)
        # Messages first; Home refreshes are nice to have and can wait.
        .order_by(
            case((col(OutboxMessage.method) == HOME_REFRESH, 1), else_=0), col(OutboxMessage.id)
        )
        .limit(batch)
        .with_for_update(skip_locked=True)
    )


@functools.cache
def _claim_rows() -> ReturningUpdate[Any]:
    """The claim of rows still claimable (parameters: ids, now, until)."""
    return (
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(bindparam("ids", expanding=True)), _claimable())
        .values(claimed_until=bindparam("until"), attempts=OutboxMessage.attempts + 1)
        .returning(col(OutboxMessage.id))
        .execution_options(synchronize_session=False)
    )


@functools.cache
def _busy_updates(ours: bool) -> SelectOfScalar[Any]:
    """Messages with an update on its way (parameters: targets, now, and ours when given)."""
    return select(OutboxMessage.action_message_id).where(
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.method) == UPDATE,
        col(OutboxMessage.action_message_id).in_(bindparam("targets", expanding=True)),
        col(OutboxMessage.claimed_until) > bindparam("now"),
        *([col(OutboxMessage.id).notin_(bindparam("ours", expanding=True))] if ours else []),
    )


@functools.cache
def _put_back() -> Update:
    """Rows put back (parameters: ids, until)."""
    return (
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(bindparam("ids", expanding=True)))
        .values(next_attempt_at=bindparam("until"))
        .execution_options(synchronize_session=False)
    )


@functools.cache
def _action_messages() -> SelectOfScalar[ActionMessage]:
    return select(ActionMessage).where(col(ActionMessage.id).in_(bindparam("ids", expanding=True)))


@functools.cache
def _outbox_rows() -> SelectOfScalar[OutboxMessage]:
    return select(OutboxMessage).where(col(OutboxMessage.id).in_(bindparam("ids", expanding=True)))


def claim_due(
    session: Session,
    now: datetime,
    batch: int,
    *,
    skip: Collection[int],
    ours: Collection[int],
    held: Collection[str],
    window: HomeWindow,
) -> list[Claimed]:
    """Claim up to `batch` due rows (not `skip`, nor of a `held` method) and read what
    sending them needs, in the caller's transaction. `ours`: rows this sender is sending
    now (see `behind` and `in_order`).

    PostgreSQL: the caller's transaction took its turn first (`take_turn`), and other
    writers skip the rows this one locked; SQLite: BEGIN IMMEDIATE makes the whole
    transaction the only writer."""
    params: dict[str, Any] = {"now": now}
    if held:
        params["held"] = list(held)
    if skip:
        params["skip"] = list(skip)
    if ours:
        params["ours"] = sorted(ours)
    rows = session.exec(_due_rows(batch, bool(held), bool(skip), bool(ours)), params=params).all()
    later = window.too_soon(session, rows, now) | behind(session, rows, now, ours)
    rows = [r for r in rows if r.id not in later]
    if not rows:
        return []
    claimed = set(
        session.execute(
            _claim_rows(), {"ids": [r.id for r in rows], "now": now, "until": now + CLAIM}
        ).scalars()
    )
    window.absorb(session, [r for r in rows if r.id in claimed], now)
    sending = read_for_sending(session, [r for r in rows if r.id in claimed], now)
    session.expunge_all()
    return sending


def behind(
    session: Session, rows: Sequence[OutboxMessage], now: datetime, ours: Collection[int] = ()
) -> set[int]:
    """Updates of a message whose earlier update is on its way (another sender sends it,
    perhaps marked obsolete meanwhile): they wait for it, so Slack gets them in order.

    `ours`: rows this sender claimed before (a batch being sent while the next is
    claimed): they are sent before this batch, so rows after them need not wait."""
    updates = {r.action_message_id for r in rows if r.method == UPDATE} - {None}
    if not updates:
        return set()
    params: dict[str, Any] = {"targets": list(updates), "now": now}
    if ours:
        params["ours"] = list(ours)
    busy = set(session.exec(_busy_updates(bool(ours)), params=params).all())
    later = {r.id for r in rows if r.method == UPDATE and r.action_message_id in busy}
    if later:
        session.execute(_put_back(), {"ids": list(later), "until": now + timedelta(seconds=2)})
    return {i for i in later if i is not None}


def read_for_sending(
    session: Session, rows: list[OutboxMessage], now: datetime, *, as_claimed: bool = False
) -> list[Claimed]:
    """The claimed rows with the messages they update and the messages they reply to.

    `as_claimed`: the rows were read back from the claim itself (its UPDATE … RETURNING),
    never claimed before it, so they already show its attempt and claim."""
    target_ids = {r.action_message_id for r in rows} - {None}
    targets = (
        {t.id: t for t in session.exec(_action_messages(), params={"ids": list(target_ids)})}
        if target_ids
        else {}
    )
    parent_ids = {r.thread_of for r in rows} - {None}
    parent_rows = (
        session.exec(_outbox_rows(), params={"ids": list(parent_ids)}).all() if parent_ids else []
    )
    parents = {o.id: (o.result_channel, o.result_ts) for o in parent_rows}
    dead_parents = {o.id for o in parent_rows if o.dead}
    batch = []
    for row in rows:
        # A claim is always released; one that ran out means its sender died
        # (or lost the database) mid-send, perhaps after Slack took the message.
        interrupted = row.claimed_until is not None and not as_claimed
        if not as_claimed:
            row.attempts += 1
            row.claimed_until = now + CLAIM
        target = targets.get(row.action_message_id) if row.action_message_id else None
        parent = parents.get(row.thread_of) if row.thread_of else None
        dead = row.thread_of in dead_parents
        batch.append(Claimed(row, interrupted, target, parent, dead))
    return batch


def lane(row: OutboxMessage) -> object:
    """Rows in one lane are sent in order: one conversation's messages, one message's updates."""
    payload = row.payload
    if row.method == GROUP_DM:
        return ("users", tuple(sorted(payload.get("users", []))))
    if row.method == FILE_DM:
        return ("channel", payload.get("user"))
    if row.method == HOME_REFRESH:
        return ("home", payload.get("user"))
    if row.method == UPDATE and row.action_message_id is not None:
        return ("message", row.action_message_id)
    return ("channel", payload.get("channel") or f"row {row.id}")


class LaneOf:
    """Each row's lane in a round or a batch (rows given in the order written): a reply
    goes in its parent's lane, an update of a message in the lane that posts it."""

    def __init__(self) -> None:
        self._rows: dict[int, object] = {}  # row id -> its lane
        self._posts: dict[int, object] = {}  # message id -> the lane posting it

    def __call__(self, row: OutboxMessage) -> object:
        key: object = lane(row)
        if row.thread_of in self._rows:
            key = self._rows[row.thread_of]
        elif row.method == UPDATE and row.action_message_id in self._posts:
            key = self._posts[row.action_message_id]
        elif row.method in (POST, GROUP_DM) and row.action_message_id is not None:
            self._posts[row.action_message_id] = key
        if row.id is not None:
            self._rows[row.id] = key
        return key


class Posted:
    """Where the messages sent so far went, by row and by the message a row posts: a later
    row replying to one, or updating one, finds it here before its note is committed.
    (Shared by the send threads: each key is written once, by the lane that posted it.)"""

    def __init__(self) -> None:
        self.rows: dict[int, tuple[str | None, str | None]] = {}
        self.messages: dict[int, tuple[str | None, str | None]] = {}

    def add(self, outcome: Outcome) -> None:
        if outcome.row.id is not None:
            self.rows[outcome.row.id] = outcome.result
        if outcome.target_id is not None:
            self.messages[outcome.target_id] = outcome.result

    def resolve(self, claimed: Claimed) -> None:
        """A reply whose parent went out earlier replies to it; an update of a message
        posted earlier updates it."""
        parent = claimed.row.thread_of
        if parent is not None and parent in self.rows:
            claimed.parent = self.rows[parent]
        target = claimed.target
        if target is not None and not target.ts and target.id in self.messages:
            target.channel, target.ts = self.messages[target.id]
