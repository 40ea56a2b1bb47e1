"""The claims checked (sachlich richtig) and not yet paid: what the finance office pays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select

from bot.domain.claims import ClaimStatus, receipts_from_json
from bot.domain.request import people_travelling
from bot.infra.db import SessionFactory
from models import AuditEntry, CostClaim, ExchangeRequest


@dataclass(frozen=True)
class Payment:
    """One claim to pay: the request, who claimed what, who checked it when."""

    request_id: int
    title: str
    requester_id: str
    city_key: str
    date_from: date
    date_to: date
    travelling: int
    amount_cents: int
    per_person_cents: int | None
    claimed_at: datetime | None
    checked_by: str | None
    checked_at: datetime | None
    receipts: tuple[str, ...]  # the receipts' permalinks (or names)


def checked_unpaid(session_factory: SessionFactory) -> list[Payment]:
    """Every claim checked and not paid, oldest check first (then by request)."""
    with session_factory() as session:
        rows = session.exec(
            select(CostClaim, ExchangeRequest)
            .join(ExchangeRequest, col(ExchangeRequest.id) == col(CostClaim.request_id))
            .where(col(CostClaim.status) == ClaimStatus.CHECKED)
        ).all()
        ids = [claim.request_id for claim, _ in rows]
        checks: dict[int, AuditEntry] = {}
        if ids:
            for entry in session.exec(
                select(AuditEntry)
                .where(
                    col(AuditEntry.request_id).in_(ids),
                    col(AuditEntry.to_status) == ClaimStatus.CHECKED,
                )
                .order_by(col(AuditEntry.at), col(AuditEntry.id))
            ):
                checks[entry.request_id or 0] = entry  # the last check counts
    found = []
    for claim, request in rows:
        check = checks.get(claim.request_id)
        found.append(
            Payment(
                request_id=claim.request_id,
                title=request.title,
                requester_id=request.requester_id,
                city_key=request.own_city_key,
                date_from=request.date_from,
                date_to=request.date_to,
                travelling=people_travelling(request),
                amount_cents=claim.amount_cents or 0,
                per_person_cents=claim.per_person_cents,
                claimed_at=claim.claimed_at,
                checked_by=check.actor if check else None,
                checked_at=check.at if check else None,
                receipts=tuple(
                    r.permalink or r.name or r.id for r in receipts_from_json(claim.receipts)
                ),
            )
        )
    found.sort(key=lambda p: (p.checked_at.timestamp() if p.checked_at else 0.0, p.request_id))
    return found
