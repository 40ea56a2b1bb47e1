"""Filing a request, listing my requests, finding my city."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.db import SessionFactory
from bot.domain.request import RequestDraft, Summary
from bot.domain.states import Action, Status
from bot.notify import Notifier
from bot.usecases.common import audit, summaries, summary
from bot.usecases.search import refresh_document
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
    notifier: Notifier,
    now: datetime,
) -> Filed:
    """Store the request with its first audit entry and its notifications, in one transaction.

    The same submission (same `submission_key`) stores one request, however often it comes.
    """
    existing = _by_submission(session_factory, submission_key)
    if existing:
        return Filed(existing, created=False)
    try:
        with session_factory.begin() as session:
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
            session.add(request)
            session.flush()
            assert request.id is not None
            for key in draft.partner_keys:
                session.add(RequestPartner(request_id=request.id, city_key=key))
            session.flush()
            refresh_document(session, request.id, now=now)
            audit(
                session,
                request_id=request.id,
                actor=requester_id,
                action=Action.SUBMIT,
                now=now,
                to_status=Status.SUBMITTED,
            )
            filed = summary(session, request)
            notifier.request_filed(session, filed, now=now)
            notifier.decision_needed(session, filed, now=now)
    except IntegrityError:
        # A parallel retry of the same submission won the unique key: return its request.
        existing = _by_submission(session_factory, submission_key)
        if existing is None:
            raise
        return Filed(existing, created=False)
    return Filed(filed, created=True)


def _by_submission(session_factory: SessionFactory, key: str) -> Summary | None:
    with session_factory() as session:
        request = session.exec(
            select(ExchangeRequest).where(ExchangeRequest.submission_key == key)
        ).first()
        return summary(session, request) if request else None


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
