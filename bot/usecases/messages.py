"""Which request a message we posted belongs to (the outbox remembers where it went)."""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from bot.infra.db import SessionFactory
from models import OutboxMessage


def request_of_message(session_factory: SessionFactory, channel: str, ts: str) -> int | None:
    """The request id of the message at (channel, ts), or None if we never posted it."""
    if not channel or not ts:
        return None
    with session_factory.connect() as conn:  # one look-up: no ORM session
        return conn.execute(_POSTED_AT, {"channel": channel, "ts": ts}).scalar()


# Built once, on the table: it runs before every click on a message.
_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
_POSTED_AT = (
    sa_select(_OUTBOX.c.request_id)
    .where(_OUTBOX.c.result_channel == bindparam("channel"), _OUTBOX.c.result_ts == bindparam("ts"))
    .order_by(_OUTBOX.c.id)
    .limit(1)
)


def sent_unnoted(session_factory: SessionFactory, request_id: int, channel: str, user: str) -> bool:
    """Whether a message of this request to this person (or conversation) may be in Slack
    without the outbox having noted where it went: a sender claimed it and has not noted
    it yet (it is sending, noting the batch, or died after Slack took it)."""
    with session_factory() as session:
        rows = session.exec(
            select(OutboxMessage).where(
                OutboxMessage.request_id == request_id,
                col(OutboxMessage.sent_at).is_(None),
                col(OutboxMessage.dead).is_(False),
                col(OutboxMessage.claimed_until).is_not(None),
                col(OutboxMessage.result_ts).is_(None),
            )
        ).all()
    return any(
        row.payload.get("channel") in (user, channel) or user in row.payload.get("users", [])
        for row in rows
    )
