"""Notifications of cost claims, through the same outbox as every other (see bot.slack.notify).

Functions of the notifier rather than methods, to keep the claims in one place.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, col, select

from bot.domain.claims import Claim, ClaimStatus
from bot.domain.request import Summary
from bot.outbox import enqueue
from bot.slack import claims as claim_messages
from bot.slack import messages
from bot.slack.blocks import section
from bot.slack.notify import Notifier, dm
from bot.texts import t
from models import ActionMessage

PROMPT = "claim_ask"  # the requester's prompt (and the question DM with its button)
COPY = "claim"  # the coordinators' copies with the step buttons


def claim_prompt(notifier: Notifier, session: Session, s: Summary, *, now: datetime) -> None:
    """Together with the reflection prompt: the requester is asked for the actual costs."""
    tracked = ActionMessage(request_id=s.id, kind=PROMPT, user_id=s.requester_id, round=1)
    message = claim_messages.claim_prompt(s, s.locale)
    dm(session, s.requester_id, message, request_id=s.id, now=now, action_message=tracked)


def _outcome(notifier: Notifier, status: str, actor: str, now: datetime, lang: str) -> str:
    return t(
        lang,
        f"outcome.claim_{status}",
        actor=f"<@{actor}>",
        when=messages.when(now, lang, notifier.tz),
    )


def _open(session: Session, request_id: int, kind: str) -> list[ActionMessage]:
    return list(
        session.exec(
            select(ActionMessage)
            .where(
                ActionMessage.request_id == request_id,
                ActionMessage.kind == kind,
                col(ActionMessage.closed).is_(False),
            )
            .order_by(col(ActionMessage.id))
        ).all()
    )


def claim_submitted(
    notifier: Notifier, session: Session, s: Summary, claim: Claim, *, now: datetime
) -> None:
    """The requester is thanked (their prompt loses its button); every coordinator gets the
    claim with the buttons."""
    for message in _open(session, s.id, PROMPT):
        outcome = _outcome(notifier, ClaimStatus.CLAIMED, s.requester_id, now, s.locale)
        push = messages.push(s, notifier.directory, s.locale, "push.claim_claimed")
        closed = {"text": push, "blocks": [section(outcome)]}
        enqueue(session, "chat.update", closed, request_id=s.id, action_message=message, now=now)
        message.closed = True
        session.add(message)
    thanks = claim_messages.claim_news(s, s.locale, "claim.thanks", claim, s.requester_id)
    dm(session, s.requester_id, thanks, request_id=s.id, now=now)
    for user in notifier.directory.coordinators:
        lang = notifier.lang_of(user)
        tracked = ActionMessage(request_id=s.id, kind=COPY, user_id=user, round=claim.version)
        copy = claim_messages.claim_for_coordinators(s, notifier.directory, lang, claim)
        dm(session, user, copy, request_id=s.id, now=now, action_message=tracked)


def claim_stepped(
    notifier: Notifier,
    session: Session,
    s: Summary,
    claim: Claim,
    actor: str,
    *,
    now: datetime,
    question: str | None = None,
) -> None:
    """Every coordinator's copy shows who did what when, with the buttons still to come
    (none once paid or questioned); the requester hears it."""
    final = claim.status in (ClaimStatus.PAID, ClaimStatus.QUESTION)
    for message in _open(session, s.id, COPY):
        lang = notifier.lang_of(message.user_id)
        outcome = _outcome(notifier, claim.status, actor, now, lang)
        shown = claim_messages.claim_for_coordinators(
            s, notifier.directory, lang, claim if not final else _without_buttons(claim), outcome
        )
        state = t(lang, f"claim.status.{claim.status}")
        shown["text"] = messages.push(s, notifier.directory, lang, "push.claim_state", state=state)
        enqueue(session, "chat.update", shown, request_id=s.id, action_message=message, now=now)
        if final:
            message.closed = True
            session.add(message)
    key = f"claim.dm.{claim.status}"
    news = claim_messages.claim_news(s, s.locale, key, claim, actor, question)
    tracked = None
    if question:
        tracked = ActionMessage(
            request_id=s.id, kind=PROMPT, user_id=s.requester_id, round=claim.version
        )
    dm(session, s.requester_id, news, request_id=s.id, now=now, action_message=tracked)


def _without_buttons(claim: Claim) -> Claim:
    """The claim as shown once nothing more is to be clicked on this copy."""
    return replace(claim, status=ClaimStatus.PAID)
