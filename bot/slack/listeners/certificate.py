"""*Bescheinigung herunterladen*: the certificate of participation again, as a file in the DM."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack import ids, views
from bot.slack.listeners.common import open_modal, request_target, user_of
from bot.slack.listeners.guards import verify_origin
from bot.slack.services import Services
from bot.texts import t
from bot.usecases import participation


def register(app: App) -> None:
    app.action(ids.A_CERTIFICATE)(certificate_clicked)


def certificate_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    """Check (a participant, completed, not purged), then the certificate goes into the DM
    through the outbox, as on completion: made when it is sent, uploaded once, tried again
    while Slack fails. From the Home tab a small modal says first that it is coming (a
    refusal replaces it)."""
    ack()
    user = user_of(body)
    target = request_target(body)
    if (body.get("container") or {}).get("type") == "view" and body.get("trigger_id"):
        lang = services.lang_of(user, cached=True)  # no database before views.open
        coming = t(lang, "cert.coming", id=target.request_id)
        open_modal(
            services, client, context, body, views.notice_modal(coming, lang, "cert.modal_title")
        )
    verify_origin(services, body, target.request_id)
    participation.send_certificate(
        services.session_factory,
        target.request_id,
        user,
        ctx=services.context(),
        now=services.clock(),
    )
