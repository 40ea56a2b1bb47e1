"""Filing a request, listing my requests, finding my city."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.request import RequestDraft, Summary
from bot.domain.states import Action, Status
from bot.infra.db import SessionFactory
from bot.usecases import told
from bot.usecases.common import audit, load_request, summaries, summary
from bot.usecases.ports import Context
from bot.usecases.search import new_document
from models import ExchangeRequest, RequestPartner

LIST_LIMIT = 20


@dataclass(frozen=True)
class Filed:
    request: Summary
    created: bool  # False when this submission was already stored (a retry)


def file_request(
    session_factory: SessionFactory,
    draft: RequestDraft,
    *,
    requester_id: str,
    locale: str,
    submission_key: str,
    ctx: Context,
    now: datetime,
) -> Filed:
    """Store the request with its first audit entry and its notifications, in one transaction.

    The same submission (same `submission_key`) stores one request, however often it comes.
    """
    request = ExchangeRequest.model_validate(
        draft,
        update={
            "requester_id": requester_id,
            "status": Status.SUBMITTED,
            "locale": locale,
            "submission_key": submission_key,
            "created_at": now,
            "status_changed_at": now,
        },
    )
    with session_factory.begin() as session:
        # One statement both checks and stores: a retry (or a parallel copy) of the same
        # submission finds the unique key taken and inserts nothing.
        values = request.model_dump(exclude={"id"})
        request.id = session.execute(_insert_new(_dialect(session)), values).scalar()
        if request.id is None:
            stored = session.exec(
                select(ExchangeRequest).where(ExchangeRequest.submission_key == submission_key)
            ).one()
            return Filed(summary(session, stored), created=False)
        if draft.partner_keys:
            session.execute(
                _NEW_PARTNER,
                [{"request_id": request.id, "city_key": k} for k in draft.partner_keys],
            )
        new_document(session, request, draft.partner_keys, ctx.directory, now=now)
        audit(
            session,
            request_id=request.id,
            actor=requester_id,
            action=Action.SUBMIT,
            now=now,
            to_status=Status.SUBMITTED,
        )
        filed = Summary.of(request, tuple(sorted(draft.partner_keys)))
        ctx.notify.request_filed(
            session,
            filed,
            deciders=told.deciders(session, ctx, filed, now),
            budget=told.budget(session, ctx, filed),
            now=now,
        )
    return Filed(filed, created=True)


_NEW_PARTNER = RequestPartner.__table__.insert()  # type: ignore[attr-defined]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


@functools.cache
def _insert_new(dialect: str) -> Any:
    """INSERT … ON CONFLICT (submission_key) DO NOTHING RETURNING id, in the database's
    dialect; built once (a statement made anew for every filing costs more than its run)."""
    table = ExchangeRequest.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(table)
        .on_conflict_do_nothing(index_elements=[table.c.submission_key])
        .returning(table.c.id)
    )


def my_requests(
    session_factory: SessionFactory, requester_id: str, *, limit: int = LIST_LIMIT
) -> tuple[list[Summary], int]:
    """My requests, newest first, and how many there are in all."""
    with session_factory() as session:
        rows = session.exec(
            select(ExchangeRequest)
            .where(ExchangeRequest.requester_id == requester_id)
            .order_by(col(ExchangeRequest.created_at).desc(), col(ExchangeRequest.id).desc())
            .limit(limit)
        ).all()
        total = session.exec(
            select(func.count())
            .select_from(ExchangeRequest)
            .where(ExchangeRequest.requester_id == requester_id)
        ).one()
        return summaries(session, list(rows)), int(total)


def last_city(session_factory: SessionFactory, requester_id: str) -> str | None:
    """The own city of my most recent request."""
    with session_factory() as session:
        return session.exec(
            select(ExchangeRequest.own_city_key)
            .where(ExchangeRequest.requester_id == requester_id)
            .order_by(col(ExchangeRequest.created_at).desc(), col(ExchangeRequest.id).desc())
            .limit(1)
        ).first()


def fields_to_file_again(session_factory: SessionFactory, request_id: int, actor: str) -> Summary:
    """A declined or lapsed request's fields, to prefill a new form: only for its requester."""
    with session_factory() as session:
        request = load_request(session, request_id)
        rules.check_file_again(actor, request)
        return summary(session, request)
