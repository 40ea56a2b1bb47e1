"""Deciding on a request: approve, decline, ask; answer and edit; cancel.

Every function re-checks on the server who acts and what state the request is
in, changes state with a conditional update (first decision wins), and writes
the notifications in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from bot.db import SessionFactory
from bot.domain.directory import Directory
from bot.domain.errors import Refused
from bot.domain.request import RequestDraft, Summary
from bot.domain.states import Action, Status
from bot.notify import Notifier
from bot.usecases.common import NotFound, load, summary, transition
from models import AuditEntry, ExchangeRequest, RequestPartner

DECISIONS = {"approve": Action.APPROVE, "decline": Action.DECLINE, "ask": Action.ASK}


@dataclass(frozen=True)
class Done:
    """The change that was made."""

    request: Summary
    action: Action


def last_change(session: Session, request_id: int) -> AuditEntry | None:
    return session.exec(
        select(AuditEntry)
        .where(AuditEntry.request_id == request_id, col(AuditEntry.to_status).is_not(None))
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(1)
    ).first()


def _already(session: Session, request: ExchangeRequest) -> Refused:
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


def _load(session: Session, request_id: int) -> ExchangeRequest:
    try:
        return load(session, request_id)
    except NotFound:
        raise Refused("refused.not_found", {"id": request_id}) from None


def check_decider(
    session_factory: SessionFactory, request_id: int, version: int, actor: str, directory: Directory
) -> Summary:
    """Raise Refused unless `actor` may decide on this request now (used before a modal)."""
    with session_factory() as session:
        request = _load(session, request_id)
        _check_decider(session, request, version, actor, directory)
        return summary(session, request)


def _check_decider(
    session: Session, request: ExchangeRequest, version: int, actor: str, directory: Directory
) -> None:
    if not directory.may_decide(actor, request.own_city_key):
        raise Refused("refused.not_contact", {"city": directory.city_name(request.own_city_key)})
    if request.status != Status.SUBMITTED:
        raise _already(session, request)
    if version != request.version:
        raise Refused("refused.stale", {"id": request.id})


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
        request = _load(session, request_id)
        _check_decider(session, request, version, actor, notifier.directory)
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
            raise _already(session, _load(session, request_id))
    return Done(s, action)


def check_requester(
    session_factory: SessionFactory, request_id: int, actor: str, directory: Directory
) -> Summary:
    """Raise Refused unless `actor` filed this request (or coordinates the network)."""
    with session_factory() as session:
        request = _load(session, request_id)
        if actor != request.requester_id and not directory.is_coordinator(actor):
            raise Refused("refused.not_requester", {"user": request.requester_id})
        return summary(session, request)


def check_editable(session_factory: SessionFactory, request_id: int, actor: str) -> Summary:
    """The request, if `actor` filed it and it is still open for editing."""
    with session_factory() as session:
        request = _load(session, request_id)
        if actor != request.requester_id:
            raise Refused("refused.not_requester", {"user": request.requester_id})
        if request.status not in (Status.SUBMITTED, Status.NEEDS_INFO):
            raise _already(session, request)
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
        request = _load(session, request_id)
        if actor != request.requester_id:
            raise Refused("refused.not_requester", {"user": request.requester_id})
        question = last_change(session, request_id)
        changed = transition(session, request_id, Action.ANSWER, actor=actor, now=now, comment=text)
        if changed is None:
            raise _already(session, request)
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
        request = _load(session, request_id)
        if actor != request.requester_id:
            raise Refused("refused.not_requester", {"user": request.requester_id})
        fields = {
            "title": draft.title,
            "question": draft.question,
            "topic_key": draft.topic_key,
            "format": draft.format,
            "direction": draft.direction,
            "own_city_key": draft.own_city_key,
            "date_from": draft.date_from,
            "date_to": draft.date_to,
            "travellers": draft.travellers,
            "cost_eur": draft.cost_eur,
        }
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
            raise _already(session, request)
        session.execute(delete(RequestPartner).where(col(RequestPartner.request_id) == request_id))
        for key in draft.partner_keys:
            session.add(RequestPartner(request_id=request_id, city_key=key))
        session.flush()
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
        request = _load(session, request_id)
        if actor != request.requester_id and not notifier.directory.is_coordinator(actor):
            raise Refused("refused.not_requester", {"user": request.requester_id})
        if transition(session, request_id, Action.CANCEL, actor=actor, now=now) is None:
            raise _already(session, request)
        s = summary(session, request)
        notifier.cancelled(session, s, actor, now=now)
    return Done(s, Action.CANCEL)


__all__ = [
    "DECISIONS",
    "Done",
    "answer",
    "cancel",
    "check_decider",
    "check_requester",
    "decide",
    "save_edit",
]
