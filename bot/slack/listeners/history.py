"""The *Verlauf* (history) button: the request's audit trail in a modal, for coordinators.

views.open first with "one moment" (the trigger dies in 3 s; nothing read before it),
then the check and the trail, then views.update. Anybody else gets the refusal in that
modal (the one error handler) and reads nothing of the trail.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack import ids, views
from bot.slack.history import history_modal
from bot.slack.listeners.common import action_value, not_found, open_modal, user_of
from bot.slack.services import Services
from bot.slack.targets import parse_id
from bot.usecases.history import request_trail


def register(app: App) -> None:
    app.action(ids.A_HISTORY_OPEN)(history_clicked)


def history_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    ack()
    user = user_of(body)
    loading = views.loading_modal(services.lang_of(user, cached=True))
    view_id = open_modal(services, client, context, body, loading)
    if view_id is None:
        return
    request_id = parse_id(action_value(body))
    if request_id is None:
        raise not_found()
    trail = request_trail(
        services.session_factory, request_id, actor=user, directory=services.refresh_directory()
    )
    modal = history_modal(trail, services.lang_of(user), services.settings.timezone)
    client.views_update(view_id=view_id, view=modal)
