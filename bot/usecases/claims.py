"""Cost claims after the trip: asked with the reflection prompt, claimed by the requester,
checked and paid by the coordinators (or questioned back).

Every step is a conditional update on the claim's status and version (the first click
wins), with its audit entry and notifications in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from bot.domain import rules
from bot.domain.claims import (
    CLAIM_TRANSITIONS,
    Claim,
    ClaimState,
    ClaimStatus,
    ClaimStep,
    Receipt,
    check_claim_step,
    check_claimant,
    claim_wanted,
    merged_receipts,
    receipts_from_json,
)
from bot.domain.errors import Refused
from bot.domain.request import Summary, people_travelling
from bot.infra.db import SessionFactory
from bot.usecases.common import already, audit, load_request, summary
from bot.usecases.ports import Context
from models import CostClaim, ExchangeRequest


def claim_of(row: CostClaim, travelling: int) -> Claim:
    """What everybody sees of a stored claim (`travelling`: how many people travelled)."""
    return Claim(
        request_id=row.request_id,
        status=row.status,
        version=row.version,
        amount_cents=row.amount_cents,
        per_person_cents=row.per_person_cents,
        travelling=travelling,
        note=row.note,
        receipts=receipts_from_json(row.receipts),
    )


def ask_for_costs(
    session: Session, ctx: Context, request: ExchangeRequest, *, now: datetime
) -> bool:
    """With the reflection prompt (in its transaction): ask the requester for the actual
    travel costs, unless it was online or nobody travelled. True when asked."""
    if not claim_wanted(request) or session.get(CostClaim, request.id) is not None:
        return False
    session.add(
        CostClaim(
            request_id=request.id or 0, status=ClaimStatus.ASKED, asked_at=now, updated_at=now
        )
    )
    session.flush()
    audit(
        session,
        request_id=request.id,
        actor="system",
        action="claim_asked",
        now=now,
        to_status=ClaimStatus.ASKED,
    )
    ctx.notify.claim_prompt(session, summary(session, request), now=now)
    return True


def _moved_on(request_id: int, status: str) -> Refused:
    return Refused("refused.claim_moved_on", {"id": request_id, "claim": ClaimState(status)})


def _load(session: Session, request_id: int) -> tuple[ExchangeRequest, CostClaim]:
    """The request and its claim, for a step on it: only while the exchange stands (not
    withdrawn, declined or purged), whatever surface the click came from."""
    request = load_request(session, request_id)
    claim = session.get(CostClaim, request_id)
    if claim is None:
        raise Refused("refused.not_found", {"id": request_id})
    if request.status not in rules.AGREED:
        raise already(session, request)
    return request, claim


def check_claimer(session_factory: SessionFactory, request_id: int, actor: str) -> Summary:
    """Raise Refused unless `actor` may claim the costs now (used after the modal opened)."""
    with session_factory() as session:
        request, claim = _load(session, request_id)
        check_claimant(actor, request.requester_id, claim.status, request_id)
        return summary(session, request)


def check_stepper(
    session_factory: SessionFactory, request_id: int, version: int, actor: str, ctx: Context
) -> None:
    """Raise Refused unless `actor` may ask a question about the claim now."""
    with session_factory() as session:
        _request, claim = _load(session, request_id)
        check_claim_step(
            ctx.directory,
            actor,
            ClaimStep.QUESTION,
            claim.status,
            version=version,
            current_version=claim.version,
            request_id=request_id,
        )


def _move(
    session: Session,
    claim: CostClaim,
    target: ClaimStatus,
    *,
    now: datetime,
    values: dict[str, object] | None = None,
) -> bool:
    """The conditional update: True for the one caller that moved it."""
    result = session.execute(
        update(CostClaim)
        .where(
            col(CostClaim.request_id) == claim.request_id,
            col(CostClaim.status) == claim.status,
            col(CostClaim.version) == claim.version,
        )
        .values(status=target, version=CostClaim.version + 1, updated_at=now, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(claim)
    return True


def _step(
    session: Session,
    claim: CostClaim,
    target: ClaimStatus,
    *,
    actor: str,
    action: str,
    now: datetime,
    comment: str | None,
    values: dict[str, object] | None = None,
) -> None:
    """Move the claim (the first click wins; a later one is told where it stands) and
    record the step in the audit trail."""
    previous = claim.status
    if not _move(session, claim, target, now=now, values=values):
        raise _moved_on(claim.request_id, previous)
    audit(
        session,
        request_id=claim.request_id,
        actor=actor,
        action=action,
        now=now,
        from_status=previous,
        to_status=target,
        comment=comment,
    )


def submit_claim(
    session_factory: SessionFactory,
    request_id: int,
    *,
    actor: str,
    amount_cents: int,
    per_person: bool,
    note: str | None,
    receipts: list[Receipt],
    ctx: Context,
    now: datetime,
) -> Claim:
    """The requester claims the actual costs (per person travelling, or in total)."""
    with session_factory.begin() as session:
        request, claim = _load(session, request_id)
        check_claimant(actor, request.requester_id, claim.status, request_id)
        travelling = people_travelling(request)
        total = amount_cents * travelling if per_person else amount_cents
        kept = merged_receipts(receipts_from_json(claim.receipts), receipts)
        receipt_ids = [r.id for r in receipts]
        values: dict[str, object] = {
            "amount_cents": total,
            "per_person_cents": amount_cents if per_person else None,
            "note": note,
            "receipts": [r.to_json() for r in kept],
            "claimed_by": actor,
            "claimed_at": now,
        }
        _step(
            session,
            claim,
            ClaimStatus.CLAIMED,
            actor=actor,
            action="claim",
            now=now,
            comment=f"{total} cents" + (f"; files {', '.join(receipt_ids)}" if receipt_ids else ""),
            values=values,
        )
        shown = claim_of(claim, travelling)
        ctx.notify.claim_submitted(session, summary(session, request), shown, now=now)
    return shown


def claim_step(
    session_factory: SessionFactory,
    request_id: int,
    version: int,
    step: ClaimStep,
    *,
    actor: str,
    comment: str | None = None,
    ctx: Context,
    now: datetime,
) -> Claim:
    """A coordinator: checked (sachlich richtig), question, paid. The first click wins."""
    with session_factory.begin() as session:
        request, claim = _load(session, request_id)
        previous = claim.status
        target = check_claim_step(
            ctx.directory,
            actor,
            step,
            previous,
            version=version,
            current_version=claim.version,
            request_id=request_id,
            claimant=claim.claimed_by or request.requester_id,
        )
        _step(session, claim, target, actor=actor, action=f"claim_{step}", now=now, comment=comment)
        shown = claim_of(claim, people_travelling(request))
        ctx.notify.claim_stepped(
            session, summary(session, request), shown, actor, now=now, question=comment
        )
    return shown


__all__ = [
    "CLAIM_TRANSITIONS",
    "ask_for_costs",
    "check_claimer",
    "check_stepper",
    "claim_step",
    "submit_claim",
]
