"""Data lifecycle: purge old closed requests, export what is stored about one person.

Purge keeps every key, date, number and status (what `yearly_report` counts) and
removes what people typed and who they were. Columns that must stay NOT NULL get
the placeholder "purged"; those in a unique constraint with the request
(experts, reflections) get "purged-<row id>" so they stay distinct.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import String, case, cast, delete, inspect, literal, null, or_, update
from sqlmodel import Session, SQLModel, col, select

from bot.domain.privacy import Retention
from bot.domain.rules import FINAL
from bot.infra.db import SessionFactory
from bot.usecases.common import audit
from bot.usecases.search import refresh_document
from models import (
    ActionMessage,
    AgreementConfirmation,
    AuditEntry,
    CostClaim,
    Deputy,
    DirectoryRole,
    ExchangeRequest,
    Expert,
    FollowUp,
    OutboxMessage,
    Person,
    Reflection,
    RequestPartner,
    utcnow,
)

PURGED = "purged"
SYSTEM = "system"


def parse_duration(text: str) -> timedelta:
    """The duration "365d", "12w", "18m" (months) or "2y" as a timedelta.

    A year is 365.25 days and a month a twelfth of that, so "12m" == "1y".
    """
    return Retention.parse(text).delta


# --- purge -----------------------------------------------------------------------


def _purgeable(cutoff: datetime) -> Any:
    """Closed (completed, declined, cancelled) before `cutoff` and not yet purged."""
    return (
        col(ExchangeRequest.status).in_(FINAL),
        col(ExchangeRequest.status_changed_at) < cutoff,
        col(ExchangeRequest.purged_at).is_(None),
    )


def count_purgeable(
    session_factory: SessionFactory, older_than: timedelta, *, now: datetime
) -> int:
    """How many requests `purge` would purge now (for a dry run); changes nothing."""
    with session_factory() as session:
        ids = session.exec(select(ExchangeRequest.id).where(*_purgeable(now - older_than))).all()
    return len(ids)


def purge(
    session_factory: SessionFactory,
    older_than: timedelta,
    *,
    now: datetime,
    actor: str = SYSTEM,
) -> int:
    """Remove texts and person ids of requests closed more than `older_than` ago.

    One transaction; idempotent (purged requests are skipped); returns how many
    requests were purged and records the run as one audit entry.
    """
    cutoff = now - older_than
    with session_factory.begin() as session:
        # Conditional on purged_at IS NULL: of two racing runs, each request is purged once.
        ids = list(
            session.execute(
                update(ExchangeRequest)
                .where(*_purgeable(cutoff))
                .values(
                    title="",
                    question="",
                    goals=None,
                    requester_id=PURGED,
                    decision_comment=None,
                    # decided_by stays non-NULL where set: the report counts it as "decided".
                    decided_by=case(
                        (col(ExchangeRequest.decided_by).is_(None), null()), else_=PURGED
                    ),
                    purged_at=now,
                )
                .returning(col(ExchangeRequest.id))
                .execution_options(synchronize_session=False)
            ).scalars()
        )
        if ids:
            _scrub_children(session, ids)
            for request_id in ids:  # found afterwards only by what is left
                refresh_document(session, request_id, now=now)
        audit(
            session,
            request_id=None,
            actor=actor,
            action="purge",
            now=now,
            comment=f"{len(ids)} requests purged (closed before "
            f"{cutoff.astimezone(UTC):%Y-%m-%d %H:%M} UTC)",
        )
    return len(ids)


def _scrub_children(session: Session, ids: list[int]) -> None:
    def unique_placeholder(row_id: Any) -> Any:
        return literal(f"{PURGED}-", String) + cast(row_id, String)

    session.execute(
        update(Expert)
        .where(col(Expert.request_id).in_(ids))
        .values(user_id=unique_placeholder(col(Expert.id)), named_by=PURGED, note=None)
    )
    # What someone published to the whole network stays, without their name.
    session.execute(
        update(Reflection)
        .where(col(Reflection.request_id).in_(ids), col(Reflection.share) != "network")
        .values(
            user_id=unique_placeholder(col(Reflection.id)),
            worked=None,
            not_worked=None,
            will_apply=None,
        )
    )
    session.execute(
        update(Reflection)
        .where(col(Reflection.request_id).in_(ids), col(Reflection.share) == "network")
        .values(user_id=unique_placeholder(col(Reflection.id)))
    )
    session.execute(update(Expert).where(col(Expert.request_id).in_(ids)).values(offer=None))
    session.execute(
        delete(AgreementConfirmation).where(col(AgreementConfirmation.request_id).in_(ids))
    )
    session.execute(
        update(FollowUp).where(col(FollowUp.request_id).in_(ids)).values(user_id=PURGED, note=None)
    )
    # Cost claims keep their amounts (the report's) and lose the note, who claimed and the
    # receipts' names and links (the claimant's own uploads; the files stay in Slack).
    session.execute(
        update(CostClaim)
        .where(col(CostClaim.request_id).in_(ids))
        .values(note=None, claimed_by=None, receipts=[])
    )
    session.execute(
        update(AuditEntry)
        .where(col(AuditEntry.request_id).in_(ids))
        .values(
            comment=None,
            on_behalf_of=None,
            actor=case((col(AuditEntry.actor) == SYSTEM, SYSTEM), else_=PURGED),
        )
    )
    # The request is closed: its messages are never updated or sent again.
    message_ids = select(ActionMessage.id).where(col(ActionMessage.request_id).in_(ids))
    session.execute(
        delete(OutboxMessage).where(
            or_(
                col(OutboxMessage.request_id).in_(ids),
                col(OutboxMessage.action_message_id).in_(message_ids),
            )
        )
    )
    session.execute(delete(ActionMessage).where(col(ActionMessage.request_id).in_(ids)))


# --- export ----------------------------------------------------------------------


# The columns that hold a person's Slack user ID, and the export's sections that show
# their rows (tests/test_export.py walks SQLModel.metadata: every column named like a
# user ID, or marked with info={"person": True}, must be here or in NOT_EXPORTED).
SECTIONS: tuple[tuple[str, type[SQLModel], tuple[str, ...]], ...] = (
    ("expert_for", Expert, ("user_id",)),
    ("experts_named", Expert, ("named_by",)),
    ("audit_entries", AuditEntry, ("actor", "on_behalf_of")),
    ("reflections", Reflection, ("user_id",)),
    ("agreements_confirmed", AgreementConfirmation, ("user_id",)),
    ("follow_ups", FollowUp, ("user_id",)),
    ("messages", ActionMessage, ("user_id",)),
    ("directory_roles", DirectoryRole, ("user_id",)),
    ("person", Person, ("user_id",)),
    # Their claims (note, receipts' names and links), and the claims of their requests.
    ("cost_claims", CostClaim, ("claimed_by",)),
    # Away, standing in, or having entered or ended an arrangement.
    ("deputies", Deputy, ("user_id", "deputy_id", "created_by", "ended_by")),
)
PERSON_COLUMNS = frozenset(
    {"exchange_request.requester_id", "exchange_request.decided_by"}
    | {f"{model.__tablename__}.{column}" for _key, model, columns in SECTIONS for column in columns}
)
NOT_EXPORTED = {
    "outbox_message.recipient": "transport, not a record: a Slack call being delivered "
    "(deleted with its request by purge)",
}


def export_user(
    session_factory: SessionFactory,
    user_id: str,
    *,
    actor: str = SYSTEM,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Everything stored about `user_id` (GDPR Art. 15), JSON-serialisable; the export is
    audited. Each table with a person's ID (`PERSON_COLUMNS`) is in it.

    Outbox rows (Slack calls being delivered) are transport, not records, and are
    left out; they are deleted with the request by `purge`.
    """
    now = now or utcnow()
    with session_factory.begin() as session:
        requests = session.exec(
            select(ExchangeRequest)
            .where(ExchangeRequest.requester_id == user_id)
            .order_by(col(ExchangeRequest.id))
        ).all()
        filed = [_request_export(session, request) for request in requests]

        def rows(model: type[SQLModel], *where: Any) -> list[dict[str, Any]]:
            found = session.exec(select(model).where(*where)).all()
            ordered = sorted(found, key=lambda row: inspect(row).identity or ())
            return [_plain(row) for row in ordered]

        data: dict[str, Any] = {
            "user_id": user_id,
            "exported_at": now.isoformat(),
            "requests_filed": filed,
        }
        decisions = [
            {
                "request_id": r.id,
                "status": r.status,
                "decided_by": r.decided_by,
                "decided_at": _json(r.decided_at),
                "decision_comment": r.decision_comment,
            }
            for r in session.exec(
                select(ExchangeRequest)
                .where(ExchangeRequest.decided_by == user_id)
                .order_by(col(ExchangeRequest.id))
            ).all()
        ]
        for key, model, columns in SECTIONS:
            where = [getattr(model, column) == user_id for column in columns]
            if model is CostClaim:
                where.append(col(CostClaim.request_id).in_([r.id for r in requests]))
            data[key] = rows(model, or_(*where))
            if key == "experts_named":  # the sections' order as before
                data["decisions"] = decisions
        audit(session, request_id=None, actor=actor, action="export", now=now, comment=user_id)
    return data


def _request_export(session: Session, request: ExchangeRequest) -> dict[str, Any]:
    partners = session.exec(
        select(RequestPartner.city_key)
        .where(RequestPartner.request_id == request.id)
        .order_by(col(RequestPartner.city_key))
    ).all()
    history = session.exec(
        select(AuditEntry)
        .where(AuditEntry.request_id == request.id)
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    ).all()
    return {
        **_plain(request),
        "partner_cities": list(partners),
        "history": [_plain(entry) for entry in history],
    }


def _plain(row: SQLModel) -> dict[str, Any]:
    return {key: _json(value) for key, value in row.model_dump().items()}


def _json(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
