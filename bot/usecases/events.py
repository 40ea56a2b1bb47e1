"""Events API deliveries: each event_id is handled once, however often Slack sends it."""

from __future__ import annotations

import zlib
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col

from bot.infra.db import SessionFactory
from models import SlackEvent

# Slack retries within minutes; a day of event ids is plenty to recognise a retry.
KEEP = timedelta(days=1)


def first_delivery(session_factory: SessionFactory, event_id: str, *, now: datetime) -> bool:
    """Record the event; False when it was recorded before (a retry, or another instance
    got it first). One INSERT … ON CONFLICT DO NOTHING: safe when instances race."""
    with session_factory.begin() as session:
        module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        # RETURNING, not rowcount: psycopg reports -1 for an ORM-level INSERT … ON CONFLICT.
        inserted = session.execute(
            module.insert(SlackEvent)
            .values(event_id=event_id[:64], received_at=now)
            .on_conflict_do_nothing(index_elements=[col(SlackEvent.event_id)])
            .returning(col(SlackEvent.event_id))
        ).first()
        first = inserted is not None
        if first and zlib.crc32(event_id.encode()) % 100 == 0:  # now and then, not always
            session.execute(delete(SlackEvent).where(col(SlackEvent.received_at) < now - KEEP))
    return first
