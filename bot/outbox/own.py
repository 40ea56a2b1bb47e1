"""The claim of an action's own rows by their ids, for its thread to send them after its
commit (`Outbox.send_written`).

Each message row carries its conversation in `recipient` (`bot.outbox.writer.lane_key`):
a message is claimed only when no older message of its conversation is unsent, wherever it
is (another instance sending it, waiting for a retry or a 429 hold), so an action's thread
never sends a conversation out of order; what it leaves, the background sender sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import and_, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from bot.outbox.calls import HOME_REFRESH
from bot.outbox.claim import CLAIM, read_for_sending, take_turn
from bot.outbox.limits import HomeWindow
from bot.outbox.notes import Claimed
from bot.outbox.writer import MESSAGES, Written
from models import OutboxMessage


def claim_own(
    session: Session,
    written: Sequence[Written],
    *,
    now: datetime,
    window: HomeWindow,
    held: Iterable[str],
) -> tuple[list[Claimed], bool]:
    """In the caller's transaction: claim the rows an action just wrote, by their ids, with
    one conditional UPDATE (a row another sender claimed first is left to it), and read what
    sending them needs; also whether a message of them was left (behind an older unsent
    one of its conversation, claimed elsewhere, held back).

    A message is claimed only when no older message of its conversation is unsent; one
    left holds back the action's later rows of the same conversation, thread or message.
    """
    ids = [r.id for r in written]
    if not take_turn(session, wait=False):  # another claim is under way: a burst
        return [], any(r.method != HOME_REFRESH for r in written)
    homes = [r for r in written if r.method == HOME_REFRESH]
    later = window.too_soon(session, homes, now) if homes else set()
    wanted = [i for i in ids if i not in later]
    if not wanted:
        return [], any(r.method != HOME_REFRESH for r in written)
    row, older = OutboxMessage, aliased(OutboxMessage)
    in_order = ~exists().where(
        col(older.method).in_(MESSAGES),
        col(older.recipient) == col(row.recipient),
        col(older.sent_at).is_(None),
        col(older.dead).is_(False),
        col(older.id) < col(row.id),
        col(older.id).notin_(ids),
    )
    due = [
        col(row.id).in_(wanted),
        col(row.sent_at).is_(None),
        col(row.dead).is_(False),
        col(row.next_attempt_at) <= now,
        col(row.claimed_until).is_(None),
        or_(col(row.method) == HOME_REFRESH, and_(col(row.method).in_(MESSAGES), in_order)),
    ]
    if held := sorted(held):
        due.append(col(row.method).notin_(held))
    rows = session.scalars(
        update(row)
        .where(*due)
        .values(claimed_until=now + CLAIM, attempts=col(row.attempts) + 1)
        .returning(row)
        .execution_options(synchronize_session=False)
    ).all()
    claimed = {r.id: r for r in rows}
    # The action's own rows in order: one left holds back those after it that share its
    # conversation, its thread, or the message it updates.
    blocked: set[str] = set()
    back = []
    for w in written:
        if w.method == HOME_REFRESH:
            continue
        keys = {w.recipient or f"row {w.id}", f"t:{w.id}"}
        if w.thread_of is not None:
            keys.add(f"t:{w.thread_of}")
        if w.action_message_id is not None:
            keys.add(f"m:{w.action_message_id}")
        if w.id not in claimed:
            blocked |= keys
        elif keys & blocked:
            back.append(claimed.pop(w.id))
            blocked |= keys
    if back:
        session.execute(
            update(row)
            .where(col(row.id).in_([r.id for r in back]))
            .values(claimed_until=None, attempts=col(row.attempts) - 1)
            .execution_options(synchronize_session=False)
        )
    mine = [r for r in rows if r.id in claimed]
    window.absorb(session, mine, now)
    batch = read_for_sending(session, mine, now, as_claimed=True)
    session.expunge_all()
    left = any(r.id not in claimed for r in written if r.method != HOME_REFRESH)
    return batch, left
