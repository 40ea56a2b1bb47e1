"""The audit trail of a request: for `cr-bot history` (lines) and the coordinators'
*Verlauf* modal in Slack (`request_trail`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.domain.directory import Directory
from bot.domain.errors import Refused
from bot.infra.db import SessionFactory
from models import AuditEntry, ExchangeRequest

SYSTEM = "system"  # the actor of what the bot did by itself (bot.usecases.lifecycle)


@dataclass(frozen=True)
class TrailEntry:
    """One line of the trail: when, who (for whom), what, from → to, the comment."""

    at: datetime
    actor: str
    action: str
    from_status: str | None
    to_status: str | None
    comment: str | None
    on_behalf_of: str | None


@dataclass(frozen=True)
class Trail:
    """A request's audit trail, oldest entry first."""

    request_id: int
    title: str
    status: str
    entries: Sequence[TrailEntry]


def _entries(session: Session, request_id: int) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.request_id == request_id)
            .order_by(col(AuditEntry.at), col(AuditEntry.id))
        ).all()
    )


def history_lines(session_factory: SessionFactory, request_id: int, *, tz: ZoneInfo) -> list[str]:
    """One line per state change: when, who, what, from → to, comment. Empty if unknown."""
    with session_factory() as session:
        request = session.get(ExchangeRequest, request_id)
        if request is None:
            return []
        entries = _entries(session, request_id)
    lines = [f"request #{request.id}: {request.title!r} ({request.status})"]
    for e in entries:
        change = f"{e.from_status or '-'} -> {e.to_status or '-'}"
        when = e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z")
        comment = f"  {e.comment!r}" if e.comment else ""
        actor = f"{e.actor} for {e.on_behalf_of}" if e.on_behalf_of else e.actor
        lines.append(f"{when}  {actor:<12} {e.action:<10} {change}{comment}")
    return lines


def request_trail(
    session_factory: SessionFactory, request_id: int, *, actor: str, directory: Directory
) -> Trail:
    """The trail for a coordinator; anybody else is refused and reads nothing."""
    if not directory.is_coordinator(actor):
        raise Refused("history.refused")
    with session_factory() as session:
        request = session.get(ExchangeRequest, request_id)
        if request is None:
            raise Refused("refused.not_found", {"id": request_id})
        entries = [
            TrailEntry(
                at=e.at,
                actor=e.actor,
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                comment=e.comment,
                on_behalf_of=e.on_behalf_of,
            )
            for e in _entries(session, request_id)
        ]
        return Trail(request_id, request.title, request.status, entries)
