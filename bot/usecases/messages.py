"""Which request a message we posted belongs to (the outbox remembers where it went)."""

from __future__ import annotations

from sqlmodel import col, select

from bot.infra.db import SessionFactory
from models import OutboxMessage


def request_of_message(session_factory: SessionFactory, channel: str, ts: str) -> int | None:
    """The request id of the message at (channel, ts), or None if we never posted it."""
    if not channel or not ts:
        return None
    with session_factory() as session:
        return session.exec(
            select(OutboxMessage.request_id)
            .where(OutboxMessage.result_channel == channel, OutboxMessage.result_ts == ts)
            .order_by(col(OutboxMessage.id))
            .limit(1)
        ).first()
