"""The audit trail of a request, for `cr-bot history`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.infra.db import SessionFactory
from models import AuditEntry, ExchangeRequest


def history_lines(session_factory: SessionFactory, request_id: int, *, tz: ZoneInfo) -> list[str]:
    """One line per state change: when, who, what, from → to, comment. Empty if unknown."""
    with session_factory() as session:
        request = session.get(ExchangeRequest, request_id)
        if request is None:
            return []
        entries = session.exec(
            select(AuditEntry)
            .where(AuditEntry.request_id == request_id)
            .order_by(col(AuditEntry.at), col(AuditEntry.id))
        ).all()
    lines = [f"request #{request.id}: {request.title!r} ({request.status})"]
    for e in entries:
        change = f"{e.from_status or '-'} -> {e.to_status or '-'}"
        when = e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z")
        comment = f"  {e.comment!r}" if e.comment else ""
        actor = f"{e.actor} for {e.on_behalf_of}" if e.on_behalf_of else e.actor
        lines.append(f"{when}  {actor:<12} {e.action:<10} {change}{comment}")
    return lines
