"""Deciding on a request: approve, decline, ask; answer and edit; cancel.

Every function re-checks on the server who acts and what state the request is
in, changes state with a conditional update (first decision wins), and writes
the notifications in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col, select

from bot.db import SessionFactory
from bot.domain import rules
from bot.domain.directory import Directory
from bot.domain.errors import Refused
from bot.domain.request import STORED_FIELDS, RequestDraft, Summary
from bot.domain.states import Action
from bot.notify import Notifier
from bot.usecases.common import (
    already,
    explained,
    last_change,
    load_request,
    summary,
    transition,
)
from bot.usecases.search import refresh_document
from models import AuditEntry, RequestPartner

DECISIONS = {"approve": Action.APPROVE, "decline": Action.DECLINE, "ask": Action.ASK}


@dataclass(frozen=True)
class Done:
    """The change that was made."""

    request: Summary
    action: Action


def check_decider(
    session_factory: SessionFactory, request_id: int, version: int, actor: str, directory: Directory
) -> Summary:
    """Raise Refused unless `actor` may decide on this request now (used before a modal)."""
    with session_factory() as session:
        request = load_request(session, request_id)
        with explained(session, request):
            rules.check_decide(directory, actor, request, version=version)
        return summary(session, request)


def decide(
    session_factory: SessionFactory,
    request_id: int,
    version: int,
    decision: str,
    *,
    actor: str,
    comment: str | None = None,
    notifier: Notifier,
    now: datetime,
) -> Done:
    """Approve, decline (with reason) or ask (with question). First decision wins."""
    action = DECISIONS[decision]
    with session_factory.begin() as session:
        request = load_request(session, request_id)
        with explained(session, request):
            rules.check_decide(notifier.directory, actor, request, version=version)
        values = (
            {}
            if action == Action.ASK
            else {
                "decided_at": now,
                "decided_by": actor,
                "decision_comment": comment,
            }
        )
        previous = transition(
            session,
            request_id,
            action,
            actor=actor,
            now=now,
            comment=comment,
            expected_version=version,
            values=values,
        )
        if previous is not None:
            s = summary(session, request)
            notifier.decision_made(session, s, action, actor, comment, now=now)
    if previous is None:
        # Somebody else was faster: tell who and when, from what they committed.
        with session_factory() as session:
            raise already(session, load_request(session, request_id))
    return Done(s, action)


def check_requester(
    session_factory: SessionFactory, request_id: int, actor: str, directory: Directory
) -> Summary:
    """Raise Refused unless `actor` may open the answer form (the requester; coordinators read)."""
    with session_factory() as session:
        request = load_request(session, request_id)
        rules.check_answer(directory, actor, request, opening=True)
        return summary(session, request)


def check_answerer(
    session_factory: SessionFactory, request_id: int, actor: str, directory: Directory
) -> tuple[Summary, str | None]:
    """As `check_requester`, plus the question being answered (the latest "ask" entry)."""
    with session_factory() as session:
        request = load_request(session, request_id)
        rules.check_answer(directory, actor, request, opening=True)
        asked = session.exec(
            select(AuditEntry.comment)
            .where(AuditEntry.request_id == request_id, AuditEntry.action == Action.ASK)
            .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
            .limit(1)
        ).first()
        return summary(session, request), asked


def check_editable(session_factory: SessionFactory, request_id: int, actor: str) -> Summary:
    """The request, if `actor` filed it and it is still open for editing."""
    with session_factory() as session:
        request = load_request(session, request_id)
        with explained(session, request):
            rules.check_edit(actor, request)
        return summary(session, request)


def answer(
    session_factory: SessionFactory,
    request_id: int,
    *,
    actor: str,
    text: str,
    notifier: Notifier,
    now: datetime,
) -> Done:
    """The requester answers the contact's question; the request goes back to `submitted`."""
    with session_factory.begin() as session:
        request = load_request(session, request_id)
        with explained(session, request):
            rules.check_answer(notifier.directory, actor, request)
        question = last_change(session, request_id)
        changed = transition(session, request_id, Action.ANSWER, actor=actor, now=now, comment=text)
        if changed is None:
            raise already(session, request)
        s = summary(session, request)
        note = (question.comment if question else None, text)
        notifier.resubmitted(session, s, now=now, answer=note)
    return Done(s, Action.ANSWER)


def save_edit(
    session_factory: SessionFactory,
    request_id: int,
    draft: RequestDraft,
    *,
    version: int | None = None,
    actor: str,
    notifier: Notifier,
    now: datetime,
) -> Done:
    """The requester saves changes; the request is `submitted` again and contacts are asked anew."""
    with session_factory.begin() as session:
        request = load_request(session, request_id)
        with explained(session, request):
            rules.check_edit(actor, request, version=version)
        fields = draft.model_dump(include=set(STORED_FIELDS))
        changed = transition(
            session,
            request_id,
            Action.EDIT,
            actor=actor,
            now=now,
            values=fields,
            expected_version=version,
        )
        if changed is None:
            if version is not None and request.version != version:
                raise Refused("refused.stale", {"id": request_id})
            raise already(session, request)
        session.execute(delete(RequestPartner).where(col(RequestPartner.request_id) == request_id))
        for key in draft.partner_keys:
            session.add(RequestPartner(request_id=request_id, city_key=key))
        session.flush()
        refresh_document(session, request_id, now=now)
        s = summary(session, request)
        notifier.resubmitted(session, s, now=now)
    return Done(s, Action.EDIT)


def cancel(
    session_factory: SessionFactory,
    request_id: int,
    *,
    actor: str,
    notifier: Notifier,
    now: datetime,
) -> Done:
    """The requester withdraws the request, any time before it is completed."""
    with session_factory.begin() as session:
        request = load_request(session, request_id)
        with explained(session, request):
            rules.check_cancel(notifier.directory, actor, request)
        if transition(session, request_id, Action.CANCEL, actor=actor, now=now) is None:
            raise already(session, request)
        s = summary(session, request)
        notifier.cancelled(session, s, actor, now=now)
    return Done(s, Action.CANCEL)


__all__ = [
    "DECISIONS",
    "Done",
    "answer",
    "cancel",
    "check_answerer",
    "check_decider",
    "check_requester",
    "decide",
    "save_edit",
]
