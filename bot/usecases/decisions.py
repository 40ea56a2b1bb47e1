"""Deciding on a request: approve, decline, ask; answer and edit; cancel.

Every function re-checks on the server who acts and what state the request is
in, changes state with a conditional update (first decision wins), and writes
the notifications in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.budget import BudgetInfo, BudgetLine, Money
from bot.domain.directory import Directory
from bot.domain.errors import Refused
from bot.domain.request import STORED_FIELDS, RequestDraft, Summary
from bot.domain.states import Action
from bot.infra.db import SessionFactory
from bot.usecases import deputies, told
from bot.usecases.budget import REFERRED, locked_budget_line
from bot.usecases.common import (
    already,
    audit,
    explained,
    last_change,
    load_request,
    summary,
    transition,
)
from bot.usecases.ports import Context
from bot.usecases.search import refresh_document
from models import AuditEntry, ReminderSent, RequestPartner

DECISIONS = {"approve": Action.APPROVE, "decline": Action.DECLINE, "ask": Action.ASK}


@dataclass(frozen=True)
class Done:
    """The change that was made."""

    request: Summary
    action: Action


def check_decider(
    session_factory: SessionFactory,
    request_id: int,
    version: int,
    actor: str,
    directory: Directory,
    *,
    today: date | None = None,
) -> Summary:
    """Raise Refused unless `actor` may decide on this request now (used before a modal);
    `today` given, a deputy standing in for one of the city's contacts may."""
    with session_factory() as session:
        request = load_request(session, request_id)
        standing = deputies.standing_in(session, actor, today) if today else ()
        with explained(session, request):
            rules.check_decide(directory, actor, request, version=version, standing_in=standing)
        return summary(session, request)


def decide(
    session_factory: SessionFactory,
    request_id: int,
    version: int,
    decision: str,
    *,
    actor: str,
    comment: str | None = None,
    ctx: Context,
    now: datetime,
) -> Done:
    """Approve, decline (with reason) or ask (with question). First decision wins."""
    action = DECISIONS[decision]
    try:
        with session_factory.begin() as session:
            request = load_request(session, request_id)
            today = deputies.local_day(now, ctx.tz)
            standing = deputies.standing_in(session, actor, today)
            with explained(session, request):
                on_behalf_of = rules.check_decide(
                    ctx.directory, actor, request, version=version, standing_in=standing
                )
            before = summary(session, request)  # its partner cities, read once
            audit_comment = comment
            if action == Action.APPROVE:
                audit_comment = _budget_checked(session, ctx, before, actor, comment)
            over_budget = audit_comment != comment  # a coordinator approving over budget
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
                comment=audit_comment,
                expected_version=version,
                values=values,
                on_behalf_of=on_behalf_of,
            )
            if previous is not None:
                s = Summary.of(request, before.partner_keys)
                namers = told.namers(session, ctx, s, now) if action == Action.APPROVE else []
                ctx.notify.decision_made(
                    session,
                    s,
                    action,
                    actor,
                    comment,
                    namers=namers,
                    now=now,
                    on_behalf_of=on_behalf_of,
                    over_budget=over_budget,
                )
    except _OverBudget as over:
        refusal = _refer(session_factory, request_id, version, over.line, actor, ctx, now)
        raise refusal from None
    if previous is None:
        # Somebody else was faster: tell who and when, from what they committed.
        with session_factory() as session:
            raise already(session, load_request(session, request_id))
    return Done(s, action)


class _OverBudget(Exception):
    """A contact's approval would take the committed sum over the budget."""

    def __init__(self, line: BudgetLine) -> None:
        super().__init__("over budget")
        self.line = line


def _budget_checked(
    session: Session, ctx: Context, s: Summary, actor: str, comment: str | None
) -> str | None:
    """The approval's audit comment, after the budget check under the budget's lock: over
    budget only a coordinator approves (recorded "over budget"); a contact is refused."""
    line = locked_budget_line(session, ctx.directory, s)
    if line is None or not line.over:
        return comment
    if not rules.may_approve_over_budget(ctx.directory, actor):
        raise _OverBudget(line)
    return f"over budget; {comment}" if comment else "over budget"


def _refer(
    session_factory: SessionFactory,
    request_id: int,
    version: int,
    line: BudgetLine,
    actor: str,
    ctx: Context,
    now: datetime,
) -> Refused:
    """Hand the request to the coordinators with the figures (once per version), and say
    why to the contact."""
    try:
        with session_factory.begin() as session:
            session.add(
                ReminderSent(request_id=request_id, step=REFERRED, round=version, sent_at=now)
            )
            session.flush()
            request = load_request(session, request_id)
            audit(
                session,
                request_id=request_id,
                actor=actor,
                action="over_budget",
                now=now,
                comment="referred to the coordinators",
            )
            ctx.notify.over_budget(session, summary(session, request), line, actor, now=now)
    except IntegrityError:
        pass  # handed over already (an earlier click)
    directory = ctx.directory
    budget = directory.budget_for(line.year, line.city) or BudgetInfo(line.year, 0, line.city)
    refusal = Refused(
        "refused.over_budget",
        {
            "id": request_id,
            "year": line.year,
            "whose": directory.budget_name(budget),
            "amount": Money(line.amount_cents),
            "committed": Money(line.committed_cents),
            "estimate": Money(line.estimate_cents or 0),
            "over": Money(-line.remaining_cents),
        },
    )
    refusal.handed_on = True
    return refusal


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
    ctx: Context,
    now: datetime,
) -> Done:
    """The requester answers the contact's question; the request goes back to `submitted`."""
    with session_factory.begin() as session:
        request = load_request(session, request_id)
        with explained(session, request):
            rules.check_answer(ctx.directory, actor, request)
        question = last_change(session, request_id)
        changed = transition(session, request_id, Action.ANSWER, actor=actor, now=now, comment=text)
        if changed is None:
            raise already(session, request)
        s = summary(session, request)
        note = (question.comment if question else None, text)
        ctx.notify.resubmitted(
            session,
            s,
            deciders=told.deciders(session, ctx, s, now),
            budget=told.budget(session, ctx, s),
            now=now,
            answer=note,
        )
    return Done(s, Action.ANSWER)


def save_edit(
    session_factory: SessionFactory,
    request_id: int,
    draft: RequestDraft,
    *,
    version: int | None = None,
    actor: str,
    ctx: Context,
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
        ctx.notify.resubmitted(
            session,
            s,
            deciders=told.deciders(session, ctx, s, now),
            budget=told.budget(session, ctx, s),
            now=now,
        )
    return Done(s, Action.EDIT)


def check_new_dates(
    session_factory: SessionFactory, request_id: int, actor: str, *, version: int | None = None
) -> Summary:
    """The request, if `actor` may give it new dates (before the form opens)."""
    with session_factory() as session:
        request = load_request(session, request_id)
        with explained(session, request):
            rules.check_new_dates(actor, request, decided_by=request.decided_by, version=version)
        return summary(session, request)


def give_new_dates(
    session_factory: SessionFactory,
    request_id: int,
    version: int,
    *,
    date_from: date,
    date_to: date,
    actor: str,
    ctx: Context,
    now: datetime,
) -> Done:
    """The requester gives a request that lapsed undecided new dates: it waits for its
    city's decision again, and everyone who holds a message about it is told."""
    with session_factory.begin() as session:
        request = load_request(session, request_id)
        with explained(session, request):
            rules.check_new_dates(actor, request, decided_by=request.decided_by, version=version)
        before = (request.date_from, request.date_to)
        changed = transition(
            session,
            request_id,
            Action.NEW_DATES,
            actor=actor,
            now=now,
            comment=f"new dates {date_from.isoformat()} – {date_to.isoformat()} "
            f"(were {before[0].isoformat()} – {before[1].isoformat()})",
            expected_version=version,
            values={"date_from": date_from, "date_to": date_to},
        )
        if changed is None:
            raise already(session, request)
        s = summary(session, request)
        ctx.notify.new_dates(
            session,
            s,
            before,
            deciders=told.deciders(session, ctx, s, now),
            budget=told.budget(session, ctx, s),
            now=now,
        )
    return Done(s, Action.NEW_DATES)


def cancel(
    session_factory: SessionFactory,
    request_id: int,
    *,
    actor: str,
    ctx: Context,
    now: datetime,
) -> Done:
    """The requester (or a coordinator) withdraws the request, while it is open and the
    exchange not over."""
    with session_factory.begin() as session:
        request = load_request(session, request_id)
        with explained(session, request):
            rules.check_cancel(ctx.directory, actor, request, today=ctx.today(now))
        if transition(session, request_id, Action.CANCEL, actor=actor, now=now) is None:
            raise already(session, request)
        s = summary(session, request)
        introduction = told.introduction(session, s)
        ctx.notify.cancelled(
            session,
            s,
            actor,
            experts=introduction.experts.everyone,
            now=now,
            involved=told.involved(session, ctx, s),
            introduction=introduction,
        )
    return Done(s, Action.CANCEL)


__all__ = [
    "DECISIONS",
    "Done",
    "answer",
    "cancel",
    "check_answerer",
    "check_decider",
    "check_new_dates",
    "check_requester",
    "decide",
    "give_new_dates",
    "save_edit",
]
