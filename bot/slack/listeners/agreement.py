"""The agreement's "Bestätigen" button in the group DM."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.slack import ids
from bot.slack.listeners.common import action_value, not_found, user_of
from bot.slack.listeners.guards import verify_origin
from bot.slack.services import Services
from bot.usecases import agreement


def register(app: App) -> None:
    app.action(ids.A_CONFIRM_AGREEMENT)(confirm_clicked)


def confirm_clicked(ack: Ack, body: dict[str, Any], services: Services) -> None:
    """A participant confirms; the introduction is updated to show who did."""
    ack()
    value = action_value(body) or ""
    if not value.isdigit() or len(value) > 12:
        raise not_found()
    request_id = int(value)
    verify_origin(services, body, request_id)
    container = body.get("container") or {}
    agreement.confirm(
        services.session_factory,
        request_id,
        actor=user_of(body),
        channel=str(container.get("channel_id") or ""),
        ts=str(container.get("message_ts") or ""),
        ctx=services.context(),
        now=services.clock(),
    )
