"""The writer: Slack calls added to the outbox inside the caller's transaction.

Use cases (through the notifier) `enqueue` rows; they are inserted when the transaction
commits, together, by hooks that `install` puts on a session factory's sessions (the
composition root does, when it builds the database and the outbox). A row nobody should
send any more is marked obsolete, never deleted: a sender may be sending it right now.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary, WeakSet

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from bot.infra.db import SessionFactory
from bot.outbox.calls import FILE_DM, GROUP_DM, HOME_REFRESH, LINK_PARENT, POST, UPDATE
from bot.outbox.rows import Enqueued, NewMessage
from models import ActionMessage, OutboxMessage

# The mark of a row that must not be sent any more (dead, with this as its last error).
OBSOLETE = "obsolete: "
# The note on a row held back on purpose (`not_before`), e.g. until working hours.
HELD = "held until it is due"

# Of some people, those who have opened their Home tab (whose tab a change refreshes).
HomeUsers = Callable[[Session, Iterable[str]], set[str]]

_PENDING = "cr_outbox_pending"
_HOMES = "cr_outbox_homes"
_WRITTEN = "cr_outbox_written"
_WROTE = "cr_outbox_wrote"  # the transaction inserted outbox rows
_NEW = "cr_outbox_new_messages"
_CLOSED = "cr_outbox_closed_messages"
# Rows of these kinds are sent in their conversation's order (`lane_key`); what else a
# sender may meet (a Home refresh, a kind added later) is left to the background sender.
MESSAGES = (POST, UPDATE, GROUP_DM, FILE_DM)
# The rows a thread's committed transactions wrote, per session class, not yet taken by
# `take_written` (the action's own thread sends them: `Outbox.send_written`). Bounded: a
# thread that never sends (a one-off command) keeps only the latest; the background
# sender sends the rest as always.
WRITTEN_KEPT = 200
_written = threading.local()
# Session classes whose commits keep their rows for `take_written` (`keep_written`); the
# others write as before, with no RETURNING and nothing kept that nobody would take.
_KEEPING: WeakSet[type] = WeakSet()
# Session classes whose commits write the outbox rows, and how they learn Home users.
_INSTALLED: WeakKeyDictionary[type, HomeUsers] = WeakKeyDictionary()


def install(session_factory: SessionFactory, *, home_users: HomeUsers) -> None:
    """Write enqueued rows when this factory's transactions commit (and drop them with a
    rollback). Called once where the database and the outbox are built; again is harmless."""
    if session_factory.session_class in _INSTALLED:
        _INSTALLED[session_factory.session_class] = home_users
        return
    session_factory.listen("before_commit", write_pending)
    session_factory.listen("after_commit", _after_commit)
    session_factory.listen("after_soft_rollback", _after_rollback)
    _INSTALLED[session_factory.session_class] = home_users


def enqueue(
    session: Session,
    method: str,
    payload: dict[str, Any],
    *,
    request_id: int | None = None,
    action_message: ActionMessage | NewMessage | None = None,
    thread_of: Enqueued | None = None,
    not_before: datetime | None = None,
    now: datetime,
) -> Enqueued:
    """Add a Slack call to the outbox, inside the caller's transaction.

    With `action_message` on chat.postMessage, the posted channel/ts are saved on it;
    on chat.update, its channel/ts are filled in at send time. `not_before`: held back
    until then (a DM that waits for working hours); `drop_held` may still call it off.

    Nothing is written yet: the action's rows are inserted together, in one INSERT, when
    its transaction commits (`write_pending`); the returned row has its id from then on.
    """
    if type(session) not in _INSTALLED:
        raise RuntimeError("the outbox is not installed on this session's factory")
    if isinstance(action_message, NewMessage):
        if action_message.id is None:
            session.info.setdefault(_NEW, []).append(action_message)
    elif action_message is not None and action_message.id is None:
        session.add(action_message)
    row = Enqueued(method, payload, request_id, now, now)
    if not_before is not None and not_before > now:
        row.next_attempt_at = not_before
        row.last_error = HELD
    session.info.setdefault(_PENDING, []).append(_Pending(row, action_message, thread_of))
    for user in _people(method, payload, action_message):
        refresh_home(session, user, now=now)
    return row


def _people(
    method: str, payload: dict[str, Any], action_message: ActionMessage | NewMessage | None
) -> list[str]:
    """Whose Home tab a message changes: the person it goes to (requests concern them)."""
    if method == GROUP_DM:  # tracked or not: everybody in it
        return list(payload.get("users", []))
    if action_message is not None:
        return [action_message.user_id]
    if method == FILE_DM:
        return []
    channel = str(payload.get("channel", ""))
    return [channel] if method == POST and channel[:1] in ("U", "W") else []


def refresh_home(session: Session, user: str, *, now: datetime) -> None:
    """Mark the person's Home tab as out of date; it is published after the change.

    Only for people who have opened their Home tab (it is rendered fresh when they do).
    The mark is a Home refresh row, written with the action's other rows; the sender
    renders the tab when it publishes it, once for all of a person's marks it claims, and
    at most once per home window (`bot.outbox.limits.HomeWindow`).
    """
    session.info.setdefault(_HOMES, {}).setdefault(user, now)


def close_tracked(session: Session, message: ActionMessage) -> None:
    """The message with buttons is closed (its last update is enqueued): written with the
    action's other closes in one UPDATE at the commit, or before the transaction reads its
    open messages again (`write_tracked`), not by the ORM's flush."""
    if message.id is None:
        message.closed = True
        session.add(message)
        return
    set_committed_value(message, "closed", True)
    session.info.setdefault(_CLOSED, set()).add(message.id)


def write_tracked(session: Session) -> None:
    """Write the transaction's new messages with buttons (one INSERT, their ids set on
    them) and its closes (one UPDATE), if any are waiting: at the commit, and before the
    transaction reads its tracked messages (`bot.infra.outbox_rows`), as the ORM's
    autoflush would have."""
    new: list[NewMessage] | None = session.info.pop(_NEW, None)
    if new:
        written = session.connection().execute(_INSERT_MESSAGES, [m.values() for m in new])
        # By their unique key, not RETURNING's order: SQLite does not promise it (asked to
        # keep it, SQLAlchemy would send the rows one by one).
        ids = {tuple(r[1:]): r[0] for r in written}
        for m in new:
            m.id = ids[(m.request_id, m.kind, m.user_id, m.round)]
    closed: set[int] | None = session.info.pop(_CLOSED, None)
    if closed:
        session.connection().execute(_CLOSE_MESSAGES, {"ids": sorted(closed)})


_MESSAGE = ActionMessage.__table__  # type: ignore[attr-defined]
_INSERT_MESSAGES = insert(_MESSAGE).returning(  # the id, then the unique key (uq_action_message)
    _MESSAGE.c.id, _MESSAGE.c.request_id, _MESSAGE.c.kind, _MESSAGE.c.user_id, _MESSAGE.c.round
)
_CLOSE_MESSAGES = (
    _MESSAGE.update().where(_MESSAGE.c.id.in_(bindparam("ids", expanding=True))).values(closed=True)
)


def supersede_updates(session: Session, action_message_id: int | None) -> None:
    """The updates of this message still waiting are obsolete (a newer one shows all):
    marked so, in the caller's transaction, also one a sender has claimed and is sending."""
    if action_message_id is not None:
        # On the table: rows already written (this transaction's own are not, yet), so no
        # flush of the caller's pending changes first.
        session.connection().execute(_SUPERSEDE, {"message": action_message_id})


# Built once: every decision's confirmation runs it.
_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
_SUPERSEDE = (
    _OUTBOX.update()
    .where(
        _OUTBOX.c.action_message_id == bindparam("message"),
        _OUTBOX.c.method == UPDATE,
        _OUTBOX.c.sent_at.is_(None),
        _OUTBOX.c.dead.is_(False),
    )
    .values(dead=True, last_error=f"{OBSOLETE}a newer update shows all")
)


def drop_held(session: Session, request_id: int, *, now: datetime) -> None:
    """The request's messages still held back (`not_before` not reached) carry news that
    changed: they are obsolete, and their buttons are never posted (nothing to update)."""
    dropped = session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.request_id) == request_id,
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.dead).is_(False),
            col(OutboxMessage.last_error) == HELD,
            col(OutboxMessage.next_attempt_at) > now,
        )
        .values(dead=True, last_error=f"{OBSOLETE}its news changed before it was due")
        .returning(col(OutboxMessage.action_message_id))
        .execution_options(synchronize_session=False)
    ).all()
    for (action_message_id,) in dropped:
        never_posted(session, action_message_id)


def never_posted(session: Session, action_message_id: int | None) -> None:
    """A message with buttons that died unposted: there is nothing to update, now or later."""
    if action_message_id is None:
        return
    session.execute(
        update(ActionMessage).where(col(ActionMessage.id) == action_message_id).values(closed=True)
    )
    session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.action_message_id) == action_message_id,
            col(OutboxMessage.method) == UPDATE,
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.dead).is_(False),
        )
        .values(dead=True, last_error=f"{OBSOLETE}its message was never posted")
        .execution_options(synchronize_session=False)
    )


@dataclass
class _Pending:
    row: Enqueued
    action_message: ActionMessage | NewMessage | None
    thread_of: Enqueued | None


def write_pending(session: Session) -> None:
    """Insert the outbox rows the transaction enqueued: one INSERT for all of them (and one
    before it for a row others reply to, as they need its id).

    Runs before every commit (a session event); a rollback drops them."""
    pending: list[_Pending] = session.info.pop(_PENDING, [])
    homes: dict[str, datetime] = session.info.pop(_HOMES, {})
    if not pending and not homes and _NEW not in session.info and _CLOSED not in session.info:
        return
    if pending or homes:
        session.info[_WROTE] = True
    session.flush()  # the change itself
    write_tracked(session)  # the ids of new action messages
    if homes:
        pending += _home_refreshes(session, homes)
    while pending:
        ready = [p for p in pending if p.thread_of is None or p.thread_of.id is not None]
        if not ready:
            raise RuntimeError("an outbox row replies in the thread of a row never enqueued")
        parents = {id(p.thread_of) for p in pending if p.thread_of is not None}
        for parent in [p for p in ready if id(p.row) in parents]:
            _insert(session, [parent], returning=True)
        _insert(session, [p for p in ready if id(p.row) not in parents], returning=False)
        pending = [p for p in pending if p not in ready]


def _after_rollback(session: Session, previous: Any) -> None:
    if previous.parent is None:  # the whole transaction: what it enqueued is gone with it
        session.info.pop(_PENDING, None)
        session.info.pop(_HOMES, None)
        session.info.pop(_WRITTEN, None)
        session.info.pop(_WROTE, None)
        session.info.pop(_NEW, None)
        session.info.pop(_CLOSED, None)


def _after_commit(session: Session) -> None:
    if session.info.pop(_WROTE, False):
        _written.wrote = True
    rows: list[Written] | None = session.info.pop(_WRITTEN, None)
    if not rows:
        return
    by_class: dict[type, list[Written]] = _written.__dict__.setdefault("rows", {})
    kept = by_class.setdefault(type(session), [])
    kept += rows
    del kept[:-WRITTEN_KEPT]


def wrote_rows() -> bool:
    """Whether this thread's transactions committed outbox rows since the last call (then
    forgotten): a listener that wrote none (a form opened, a search) wakes no sender."""
    wrote = bool(getattr(_written, "wrote", False))
    _written.wrote = False
    return wrote


def keep_written(session_factory: SessionFactory) -> None:
    """Keep the rows this factory's transactions write for `take_written` (an outbox that
    sends an action's rows in its own thread asks for it)."""
    _KEEPING.add(session_factory.session_class)


def take_written(session_factory: SessionFactory) -> list[Written]:
    """The outbox rows this thread's transactions on this factory wrote and committed since
    the last call, and forget them. As they were written: their state in the database
    may have moved on since."""
    by_class: dict[type, list[Written]] = _written.__dict__.get("rows", {})
    return by_class.pop(session_factory.session_class, [])


def lane_key(row: Enqueued, parent: Enqueued | None = None) -> str | None:
    """The conversation a message row is sent in, as stored in its `recipient` column (a
    Home refresh's is its person, unprefixed): one key's rows go out in the order written
    (bot.outbox.claim.lane keeps the same order in a batch). None for other kinds."""
    if row.method not in MESSAGES:
        return None
    payload = row.payload
    if row.method == UPDATE and row.action_message_id is not None:
        key = f"m:{row.action_message_id}"
    elif row.method == GROUP_DM:
        users = ",".join(sorted(str(u) for u in payload.get("users", [])))
        key = "g:" + hashlib.sha1(users.encode(), usedforsecurity=False).hexdigest()[:24]
    elif row.method == FILE_DM:
        key = f"c:{payload.get('user')}"
    elif parent is not None and parent.recipient and not payload.get(LINK_PARENT):
        return parent.recipient  # in its parent's thread
    else:
        key = f"c:{payload.get('channel')}"
    if len(key) > 32:  # the column's size: a long name stands for itself by its hash
        key = "h:" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:24]
    return key


def _insert(session: Session, pending: list[_Pending], *, returning: bool) -> None:
    if not pending:
        return
    params = []
    for p in pending:
        if p.action_message is not None:
            p.row.action_message_id = p.action_message.id
        if p.thread_of is not None:
            p.row.thread_of = p.thread_of.id
        if p.row.method != HOME_REFRESH:
            p.row.recipient = lane_key(p.row, p.thread_of)
        params.append(p.row.values())
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    keep = type(session) in _KEEPING
    if returning:  # one row: its id for the rows that refer to it
        [p] = pending
        row_id: int = session.execute(insert(table).returning(table.c.id), params[0]).scalar_one()
        p.row.id = row_id
        written = [Written(row_id, p.row.method, p.row.recipient, *_refs(p.row))]
    elif not keep:  # executemany: one statement (multi-row VALUES where the driver allows)
        session.execute(insert(table), params)
        return
    else:  # the same, reading back what `take_written` needs
        c = table.c
        written = [
            Written(*r)
            for r in session.execute(
                insert(table).returning(
                    c.id, c.method, c.recipient, c.action_message_id, c.thread_of
                ),
                params,
            )
        ]
    if keep:
        session.info.setdefault(_WRITTEN, []).extend(written)


def _refs(row: Enqueued) -> tuple[int | None, int | None]:
    return row.action_message_id, row.thread_of


@dataclass(frozen=True)
class Written:
    """A row as a transaction wrote it: what its own sender needs to claim it."""

    id: int
    method: str
    recipient: str | None
    action_message_id: int | None
    thread_of: int | None


def _home_refreshes(session: Session, homes: dict[str, datetime]) -> list[_Pending]:
    """A Home refresh mark for each of these people who uses the Home tab.

    A mark is an outbox row; the sender renders the tab when it sends it, so one
    publication shows every change committed before its claim, and it treats all of a
    person's marks in a batch as one (the rest wait for the window). Marks are only ever
    inserted (one INSERT with the action's other rows), never updated by an action: no
    action waits for another's lock on the busy people's rows.
    """
    home_users = _INSTALLED.get(type(session))
    users = home_users(session, homes) if home_users is not None else set()
    return [
        _Pending(
            Enqueued(HOME_REFRESH, {"user": user}, None, homes[user], homes[user], recipient=user),
            None,
            None,
        )
        for user in sorted(users)
    ]
