"""Checks on every request before any listener (our workspace only), and on buttons
(they must match the message they came from)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot.domain.errors import Refused
from bot.services import Services
from bot.usecases.messages import request_of_message

log = logging.getLogger(__name__)

# Buttons whose value names a request (the first part of "<id>:<version>[:…]").
REQUEST_BUTTONS = (
    "cr_approve",
    "cr_decline",
    "cr_ask",
    "cr_name_experts",
    "cr_mark_matched",
    "cr_cancel",
    "cr_answer",
    "cr_edit",
    "cr_reflect",
)


def register(app: App) -> None:
    app.middleware(our_workspace_only)


def our_workspace_only(
    req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
) -> BoltResponse | None:
    """A correctly signed payload from another workspace is refused."""
    ours = req.context.authorize_result.team_id if req.context.authorize_result else None
    theirs = req.context.team_id
    if ours and theirs and theirs != ours and not req.context.enterprise_id:
        log.warning("refused a request from workspace %s (ours is %s)", theirs, ours)
        return BoltResponse(status=401, body="")
    return next()


def verify_origin(services: Services, body: dict[str, Any], request_id: int) -> None:
    """A button in a message we posted may only name that message's request.

    Clicks on the Home tab (a view) and on private replies (ephemeral: `/cr-request list`)
    carry no message we could look up; there the use case's checks decide alone.
    """
    container = body.get("container") or {}
    if container.get("type") != "message" or container.get("is_ephemeral"):
        return
    posted = request_of_message(
        services.session_factory,
        str(container.get("channel_id") or ""),
        str(container.get("message_ts") or ""),
    )
    if posted != request_id:
        log.warning(
            "refused a button naming request %s in message %s/%s (of request %s)",
            request_id,
            container.get("channel_id"),
            container.get("message_ts"),
            posted,
        )
        raise Refused("refused.not_found", {"id": request_id})
