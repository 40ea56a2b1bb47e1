"""Helpers shared by the use cases: snapshots, audit entries, conditional state changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.domain.request import Summary
from bot.domain.states import Action, Status, allowed_from, next_status
from models import AuditEntry, ExchangeRequest, RequestPartner


class NotFound(Exception):
    """No request with that id."""


def summary(session: Session, request: ExchangeRequest) -> Summary:
    assert request.id is not None
    partners = session.exec(
        select(RequestPartner.city_key)
        .where(RequestPartner.request_id == request.id)
        .order_by(col(RequestPartner.city_key))
    ).all()
    return _snapshot(request, tuple(partners))


def _snapshot(request: ExchangeRequest, partners: tuple[str, ...]) -> Summary:
    assert request.id is not None
    return Summary(
        id=request.id,
        version=request.version,
        status=request.status,
        requester_id=request.requester_id,
        title=request.title,
        question=request.question,
        topic_key=request.topic_key,
        format=request.format,
        direction=request.direction,
        own_city_key=request.own_city_key,
        partner_keys=partners,
        date_from=request.date_from,
        date_to=request.date_to,
        travellers=request.travellers,
        cost_eur=request.cost_eur,
        locale=request.locale,
        decided_by=request.decided_by,
        decision_comment=request.decision_comment,
    )


def summaries(session: Session, requests: list[ExchangeRequest]) -> list[Summary]:
    """Snapshots of many requests with one query for their partner cities."""
    ids = [r.id for r in requests if r.id is not None]
    partners: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for request_id, city in session.exec(
            select(RequestPartner.request_id, RequestPartner.city_key)
            .where(col(RequestPartner.request_id).in_(ids))
            .order_by(col(RequestPartner.city_key))
        ).all():
            partners[request_id].append(city)
    return [_snapshot(r, tuple(partners.get(r.id or 0, ()))) for r in requests]


def load(session: Session, request_id: int) -> ExchangeRequest:
    request = session.get(ExchangeRequest, request_id)
    if request is None:
        raise NotFound(request_id)
    return request


def audit(
    session: Session,
    *,
    request_id: int | None,
    actor: str,
    action: str,
    now: datetime,
    from_status: str | None = None,
    to_status: str | None = None,
    comment: str | None = None,
) -> None:
    session.add(
        AuditEntry(
            request_id=request_id,
            actor=actor,
            at=now,
            action=action,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
        )
    )


def transition(
    session: Session,
    request_id: int,
    action: Action,
    *,
    actor: str,
    now: datetime,
    comment: str | None = None,
    expected_version: int | None = None,
    values: dict[str, Any] | None = None,
) -> Status | None:
    """Apply `action` if the request is in a state that allows it (and at the version given).

    A conditional UPDATE: of two racing callers exactly one sees its row
    changed. Returns the previous status, or None when nothing changed.
    """
    request = load(session, request_id)
    current = Status(request.status)
    if current not in allowed_from(action):
        return None
    target = next_status(action, current)
    conditions = [col(ExchangeRequest.id) == request_id, col(ExchangeRequest.status) == current]
    if expected_version is not None:
        conditions.append(col(ExchangeRequest.version) == expected_version)
    else:
        conditions.append(col(ExchangeRequest.version) == request.version)
    result = session.execute(
        update(ExchangeRequest)
        .where(*conditions)
        .values(
            status=target,
            version=ExchangeRequest.version + 1,
            status_changed_at=now,
            **(values or {}),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    session.refresh(request)
    audit(
        session,
        request_id=request_id,
        actor=actor,
        action=action,
        now=now,
        from_status=current,
        to_status=target,
        comment=comment,
    )
    return current
