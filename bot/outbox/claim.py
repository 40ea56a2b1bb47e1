"""What a claim reads: which due rows must wait for an earlier one, what the claimed rows
need for sending, and which rows are sent in order (lanes)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, or_, text, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.outbox.calls import FILE_DM, GROUP_DM, HOME_REFRESH, UPDATE
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


def in_order(now: datetime, ours: Collection[int]) -> ColumnElement[bool]:
    """A message is not claimed while a message of its conversation (`recipient`) is
    claimed by another sender or instance (on its way there): sent side by side, the two
    could reach Slack in either order. `ours`: rows this sender claimed and sends first.

    (One look at the conversations claimed elsewhere, not one per due row: in a burst
    thousands of rows wait behind another instance's.)"""
    row, other = OutboxMessage, aliased(OutboxMessage)
    elsewhere = select(other.recipient).where(
        col(other.method).in_(MESSAGES),
        col(other.recipient).is_not(None),
        col(other.sent_at).is_(None),
        col(other.dead).is_(False),
        col(other.claimed_until) > now,
        *([col(other.id).notin_(sorted(ours))] if ours else []),
    )
    return or_(
        col(row.method).notin_(MESSAGES),
        col(row.recipient).is_(None),
        col(row.recipient).notin_(elsewhere),
    )


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
    claimable = or_(
        col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now
    )
    due = [
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.dead).is_(False),
        col(OutboxMessage.next_attempt_at) <= now,
        claimable,
        in_order(now, ours),
    ]
    if held:
        due.append(col(OutboxMessage.method).notin_(held))
    if skip:
        due.append(col(OutboxMessage.id).notin_(skip))
    rows = session.exec(
        select(OutboxMessage)
        .where(*due)
        # Messages first; Home refreshes are nice to have and can wait.
        .order_by(
            case((col(OutboxMessage.method) == HOME_REFRESH, 1), else_=0), col(OutboxMessage.id)
        )
        .limit(batch)
        .with_for_update(skip_locked=True)
    ).all()
    later = window.too_soon(session, rows, now) | behind(session, rows, now, ours)
    rows = [r for r in rows if r.id not in later]
    if not rows:
        return []
    claimed = set(
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_([r.id for r in rows]), claimable)
            .values(claimed_until=now + CLAIM, attempts=OutboxMessage.attempts + 1)
            .returning(col(OutboxMessage.id))
            .execution_options(synchronize_session=False)
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
    busy = set(
        session.exec(
            select(OutboxMessage.action_message_id).where(
                col(OutboxMessage.sent_at).is_(None),
                col(OutboxMessage.method) == UPDATE,
                col(OutboxMessage.action_message_id).in_(updates),
                col(OutboxMessage.claimed_until) > now,
                *([col(OutboxMessage.id).notin_(ours)] if ours else []),
            )
        ).all()
    )
    later = {r.id for r in rows if r.method == UPDATE and r.action_message_id in busy}
    if later:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(later))
            .values(next_attempt_at=now + timedelta(seconds=2))
            .execution_options(synchronize_session=False)
        )
    return {i for i in later if i is not None}


def read_for_sending(
    session: Session, rows: list[OutboxMessage], now: datetime, *, as_claimed: bool = False
) -> list[Claimed]:
    """The claimed rows with the messages they update and the messages they reply to.

    `as_claimed`: the rows were read back from the claim itself (its UPDATE … RETURNING),
    never claimed before it, so they already show its attempt and claim."""
    target_ids = {r.action_message_id for r in rows} - {None}
    targets = (
        {
            t.id: t
            for t in session.exec(
                select(ActionMessage).where(col(ActionMessage.id).in_(target_ids))
            )
        }
        if target_ids
        else {}
    )
    parent_ids = {r.thread_of for r in rows} - {None}
    parent_rows = (
        session.exec(select(OutboxMessage).where(col(OutboxMessage.id).in_(parent_ids))).all()
        if parent_ids
        else []
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
