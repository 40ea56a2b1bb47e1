"""Helpers shared by the use cases: snapshots, audit entries, conditional state changes."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from bot.domain.errors import Refused
from bot.domain.request import Summary
from bot.domain.rules import MovedOn
from bot.domain.states import Action, Status, allowed_from, next_status
from models import AuditEntry, ExchangeRequest, Expert, RequestPartner


class NotFound(Exception):
    """No request with that id."""


def summary(session: Session, request: ExchangeRequest) -> Summary:
    assert request.id is not None
    partners = session.exec(_PARTNERS, params={"request_id": request.id}).all()
    return _snapshot(request, tuple(partners))


# The statements every action runs, built once: building one costs more than running it.
_PARTNERS = (
    select(RequestPartner.city_key)
    .where(RequestPartner.request_id == bindparam("request_id"))
    .order_by(col(RequestPartner.city_key))
)
_AUDIT = AuditEntry.__table__.insert()  # type: ignore[attr-defined]


def _snapshot(request: ExchangeRequest, partners: tuple[str, ...]) -> Summary:
    return Summary.of(request, partners)


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


def still_to_name(session: Session, request_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The partner cities that have not named their experts yet, by request (each of
    `request_ids`, () where every city has named), in the cities' order."""
    if not request_ids:
        return {}
    named = set(
        session.exec(
            select(Expert.request_id, Expert.city_key).where(
                col(Expert.request_id).in_(request_ids)
            )
        ).all()
    )
    missing: dict[int, tuple[str, ...]] = {i: () for i in request_ids}
    for request_id, city in session.exec(
        select(RequestPartner.request_id, RequestPartner.city_key)
        .where(col(RequestPartner.request_id).in_(request_ids))
        .order_by(col(RequestPartner.city_key))
    ).all():
        if (request_id, city) not in named:
            missing[request_id] += (city,)
    return missing


def load(session: Session, request_id: int) -> ExchangeRequest:
    request = session.get(ExchangeRequest, request_id)
    if request is None:
        raise NotFound(request_id)
    return request


def load_request(session: Session, request_id: int, *, lock: bool = False) -> ExchangeRequest:
    """The request a person acts on, or the refusal they see: for an id that does not exist,
    and for a purged request (nothing may change it any more, whatever the surface).

    `lock`: take the request's row lock (PostgreSQL's SELECT … FOR UPDATE; SQLite's write
    transactions hold the database's lock from BEGIN IMMEDIATE on), so that decisions read
    from other rows of the request are made by one transaction at a time.
    """
    if lock:
        request = session.exec(
            select(ExchangeRequest)
            .where(col(ExchangeRequest.id) == request_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
    else:
        request = session.get(ExchangeRequest, request_id)
    if request is None:
        raise Refused("refused.not_found", {"id": request_id})
    if request.purged_at is not None:
        raise Refused("refused.purged", {"id": request_id})
    return request


def last_change(session: Session, request_id: int) -> AuditEntry | None:
    """The latest state change of the request (who moved it, when, where to)."""
    return session.exec(
        select(AuditEntry)
        .where(AuditEntry.request_id == request_id, col(AuditEntry.to_status).is_not(None))
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(1)
    ).first()


def already(session: Session, request: ExchangeRequest) -> Refused:
    """Why a click on a request that moved on changes nothing: who did what, when."""
    entry = last_change(session, request.id or 0)
    return Refused(
        "refused.already",
        {
            "status": request.status,
            "actor": entry.actor if entry else "",
            "when": entry.at if entry else request.status_changed_at,
            "action": entry.action if entry else "",
        },
    )


@contextmanager
def explained(session: Session, request: ExchangeRequest) -> Iterator[None]:
    """Run a rule; a `MovedOn` from it becomes the refusal that says who moved it on, when."""
    try:
        yield
    except MovedOn:
        raise already(session, request) from None


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
    on_behalf_of: str | None = None,
) -> None:
    session.execute(
        _AUDIT,
        {
            "request_id": request_id,
            "actor": actor,
            "at": now,
            "action": action,
            "from_status": from_status,
            "to_status": to_status,
            "comment": comment,
            "on_behalf_of": on_behalf_of,
        },
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
    on_behalf_of: str | None = None,
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
    version = expected_version if expected_version is not None else request.version
    extra = values or {}
    result = session.execute(
        _transition(tuple(extra)),
        {
            "expected_id": request_id,
            "expected_status": current,
            "expected_version": version,
            "new_status": target,
            "changed_at": now,
            **{f"set_{name}": value for name, value in extra.items()},
        },
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    # The row is now exactly what this UPDATE wrote (this transaction holds it): the object
    # learns it as stored, without reading the row back.
    changed = {"status": target, "version": version + 1, "status_changed_at": now, **extra}
    for name, value in changed.items():
        set_committed_value(request, name, value)
    audit(
        session,
        request_id=request_id,
        actor=actor,
        action=action,
        now=now,
        from_status=current,
        to_status=target,
        comment=comment,
        on_behalf_of=on_behalf_of,
    )
    return current


@functools.cache
def _transition(names: tuple[str, ...]) -> Any:
    """The conditional UPDATE of a state change that also sets the columns `names`, built
    once for each set of them. (No parameter is named like a column: an UPDATE takes
    those as values to set.)"""
    table = ExchangeRequest.__table__  # type: ignore[attr-defined]
    return (
        update(table)
        .where(
            table.c.id == bindparam("expected_id"),
            table.c.status == bindparam("expected_status"),
            table.c.version == bindparam("expected_version"),
        )
        .values(
            status=bindparam("new_status"),
            version=table.c.version + 1,
            status_changed_at=bindparam("changed_at"),
            **{name: bindparam(f"set_{name}") for name in names},
        )
    )
