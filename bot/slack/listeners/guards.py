"""Checks on every request before any listener (our workspace only), and on buttons
(they must match the message they came from)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot.domain.errors import Refused
from bot.slack.listeners.runtime import SERVICES, Direct
from bot.slack.services import Services
from bot.usecases import events
from bot.usecases.messages import request_of_message, sent_unnoted

log = logging.getLogger(__name__)

# Buttons whose value names a request (the first part of "<id>:<version>[:…]").
REQUEST_BUTTONS = (
    "cr_approve",
    "cr_decline",
    "cr_ask",
    "cr_name_experts",
    "cr_mark_matched",
    "cr_new_dates",
    "cr_cancel",
    "cr_answer",
    "cr_edit",
    "cr_reflect",
    "cr_certificate",
)


def register(app: App) -> None:
    app.middleware(Direct(our_workspace_only))
    app.middleware(Direct(once_per_event))


def our_workspace_only(
    req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
) -> BoltResponse | None:
    """A correctly signed payload from another workspace (or another Enterprise Grid
    organisation) is refused: its workspace and enterprise must be the installation's."""
    installed = req.context.authorize_result
    ours = (installed.team_id, installed.enterprise_id) if installed else (None, None)
    theirs = (req.context.team_id, req.context.enterprise_id)
    if not foreign(ours, theirs):
        return next()
    log.warning("refused a request from workspace/enterprise %s (ours is %s)", theirs, ours)
    return BoltResponse(status=401, body="")


def foreign(ours: tuple[str | None, str | None], theirs: tuple[str | None, str | None]) -> bool:
    """(team, enterprise) of a payload against the installation's. A payload names its
    workspace (and, on Enterprise Grid, its organisation); either that differs from ours,
    or is absent where ours is known, makes it foreign."""
    (our_team, our_org), (their_team, their_org) = ours, theirs
    if our_team and their_team != our_team:
        return True
    return their_org != our_org


def once_per_event(
    req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
) -> BoltResponse | None:
    """Slack retries an event it thinks we missed (X-Slack-Retry-Num, same event_id): on
    whichever instance it lands, the first delivery acts and the others are only acked."""
    body = req.body if isinstance(req.body, dict) else {}
    event_id = body.get("event_id")
    if body.get("type") != "event_callback" or not isinstance(event_id, str) or not event_id:
        return next()
    services: Services = req.context[SERVICES]
    if events.first_delivery(services.session_factory, event_id, now=services.clock()):
        return next()
    log.info("event %s was delivered before; acked, not handled again", event_id)
    return BoltResponse(status=200, body="")


# How long a click on a message not (yet) known waits for the sender to note it.
NOTED_WITHIN_TRIES = 5
NOTED_WITHIN_STEP = 0.2


def verify_origin(services: Services, body: dict[str, Any], request_id: int) -> None:
    """A button in a message we posted may only name that message's request.

    Clicks on the Home tab (a view) and on private replies (ephemeral: `/cr-request list`)
    carry no message we could look up; there the use case's checks decide alone.
    """
    container = body.get("container") or {}
    if container.get("type") != "message" or container.get("is_ephemeral"):
        return
    channel, ts = str(container.get("channel_id") or ""), str(container.get("message_ts") or "")
    posted = request_of_message(services.session_factory, channel, ts)
    user = str((body.get("user") or {}).get("id") or "")
    if posted is None and sent_unnoted(services.session_factory, request_id, channel, user):
        # Its sender has it in hand (posted, not yet noted): the use case's checks decide.
        return
    for _ in range(NOTED_WITHIN_TRIES if posted is None and channel and ts else 0):
        # Slack shows a message (and a click on it may come) a moment before the sender
        # has noted where it went (after its batch): look again before calling it unknown.
        time.sleep(NOTED_WITHIN_STEP)
        posted = request_of_message(services.session_factory, channel, ts)
        if posted is not None:
            break
    if posted != request_id:
        log.warning(
            "refused a button naming request %s in message %s/%s (of request %s)",
            request_id,
            container.get("channel_id"),
            container.get("message_ts"),
            posted,
        )
        raise Refused("refused.not_found", {"id": request_id})
