"""The one narrow way out to Slack: every notification is an outbox row.

Each function renders the message with the Block Kit builders and enqueues it
in the caller's transaction, so it is sent exactly when the change commits.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from bot.domain.directory import Directory
from bot.domain.request import Summary
from bot.outbox import enqueue
from bot.slack import messages
from models import ActionMessage


def dm(
    session: Session,
    user_id: str,
    message: messages.Message,
    *,
    request_id: int | None,
    now: datetime,
    action_message: ActionMessage | None = None,
) -> None:
    """A direct message: chat.postMessage to a user ID posts into the bot's DM with them."""
    enqueue(
        session,
        "chat.postMessage",
        {"channel": user_id, **message},
        request_id=request_id,
        action_message=action_message,
        now=now,
    )


def request_filed(session: Session, s: Summary, directory: Directory, *, now: datetime) -> None:
    """Tell the requester their request number."""
    dm(session, s.requester_id, messages.request_filed(s, directory, s.locale), request_id=s.id,
       now=now)  # fmt: skip


def deciders(s: Summary, directory: Directory) -> tuple[str, ...]:
    """The active contacts of the requester's city; coordinators if the city has none."""
    return directory.contacts_of(s.own_city_key) or directory.coordinators


def decision_needed(
    session: Session,
    s: Summary,
    directory: Directory,
    *,
    lang_of: Callable[[str], str],
    now: datetime,
) -> None:
    """Every contact of the requester's own city gets the request with the decision buttons."""
    for user in deciders(s, directory):
        tracked = ActionMessage(request_id=s.id, kind="decision", user_id=user, round=s.version)
        dm(session, user, messages.decision_request(s, directory, lang_of(user)),
           request_id=s.id, now=now, action_message=tracked)  # fmt: skip
