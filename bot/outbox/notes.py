"""What the sender notes after sending: each row's outcome, and where posted messages went.

Notes are plain UPDATEs by id: a row that vanished (purged) or was marked obsolete
meanwhile changes nothing else in the batch, so one row's conflict never costs the notes
of the others (the posted messages among them would otherwise be sent again).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Update, bindparam, update
from sqlmodel import Session, col

from bot.infra.db import SessionFactory
from bot.outbox.calls import GROUP_DM, HOME_REFRESH, POST
from bot.outbox.limits import retried
from bot.outbox.writer import enqueue, never_posted
from models import ActionMessage, OutboxMessage

# What to post to the coordinators about a row Slack refused for good: (request id, outbox
# method, Slack's error) -> chat.postMessage payloads (the Slack layer writes them).
Report = Callable[[int | None, str, str], list[dict[str, Any]]]


@dataclass
class Claimed:
    """A row claimed for sending, with what sending it needs."""

    row: OutboxMessage
    interrupted: bool
    target: ActionMessage | None
    parent: tuple[str | None, str | None] | None
    parent_dead: bool = False  # what it replies to (or links to) was refused for good


@dataclass
class Outcome:
    """What to note on a row after sending it (or not)."""

    row: OutboxMessage
    values: dict[str, Any]
    sent: bool = False
    result: tuple[str | None, str | None] = (None, None)
    target_id: int | None = None
    dead_error: str | None = None


def released(row: OutboxMessage, until: datetime | None = None) -> Outcome:
    """Back to the queue unsent, as if never claimed (its method is held, or time ran out)."""
    values: dict[str, Any] = {"claimed_until": None, "attempts": row.attempts - 1}
    if until is not None:
        values["next_attempt_at"] = until
    return Outcome(row, values)


def note(session: Session, outcomes: Sequence[Outcome], report: Report, now: datetime) -> bool:
    """Note every row's outcome (in the caller's transaction); True when reports of refused
    rows were enqueued for the coordinators."""
    if not outcomes:
        return False
    posted = [
        {"_id": o.target_id, "_channel": o.result[0], "_ts": o.result[1]}
        for o in outcomes
        if o.target_id is not None
    ]
    # Action messages before outbox rows: the order in which actions lock them too.
    if posted:
        session.execute(_where_posted(), posted)
    _note_rows(session, [o for o in outcomes if o.sent], only_alive=False)
    # What was not sent keeps an obsolete mark made meanwhile (it is not sent again).
    _note_rows(session, [o for o in outcomes if not o.sent], only_alive=True)
    reported = False
    for o in outcomes:
        if o.dead_error is not None and o.row.method in (POST, GROUP_DM):
            never_posted(session, o.row.action_message_id)
        # A Home tab is published again on the next change or visit: nobody need act.
        if o.dead_error is None or o.row.payload.get("_report"):
            continue
        if o.row.method == HOME_REFRESH:
            continue
        for payload in report(o.row.request_id, o.row.method, o.dead_error):
            reported = True  # the reports go out in the next round
            enqueue(
                session,
                POST,
                {**payload, "_report": True},
                request_id=o.row.request_id,
                now=now,
            )
    return reported


def _note_rows(session: Session, outcomes: Sequence[Outcome], *, only_alive: bool) -> None:
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for o in sorted(outcomes, key=lambda o: o.row.id or 0):  # rows locked in id order
        row = {"_id": o.row.id, **{f"_{k}": v for k, v in o.values.items()}}
        by_columns.setdefault(tuple(sorted(o.values)), []).append(row)
    for columns, params in by_columns.items():
        session.execute(_row_note(columns, only_alive), params)


# The notes' statements, built once (per set of columns) and run with each batch's values.


@functools.cache
def _where_posted() -> Update:
    messages = ActionMessage.__table__  # type: ignore[attr-defined]
    return (
        update(messages)
        .where(messages.c.id == bindparam("_id"))
        .values(channel=bindparam("_channel"), ts=bindparam("_ts"))
    )


@functools.lru_cache(maxsize=64)  # the few sets of columns the outcomes have
def _row_note(columns: tuple[str, ...], only_alive: bool) -> Update:
    rows = OutboxMessage.__table__  # type: ignore[attr-defined]
    statement = update(rows).where(rows.c.id == bindparam("_id"))
    if only_alive:
        statement = statement.where(rows.c.dead.is_(False))
    return statement.values({c: bindparam(f"_{c}") for c in columns})


def store_payload(
    session_factory: SessionFactory, row: OutboxMessage, payload: dict[str, Any]
) -> bool:
    """Store where a file's upload stands (or the file just made) before its next step, in
    a transaction of its own; False when the row is gone or sent meanwhile (its request
    purged, another sender done with it): then the next step must not happen."""

    def store() -> bool:
        with session_factory.begin() as session:
            done = session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row.id, col(OutboxMessage.sent_at).is_(None))
                .values(payload=payload)
                .execution_options(synchronize_session=False)
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]

    return retried(f"the upload state of outbox {row.id}", store)
