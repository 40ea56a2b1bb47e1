"""*Bescheinigung herunterladen*: the certificate of participation as a file in the DM."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack import ids, views
from bot.slack.certificate import real_name, send_certificate
from bot.slack.listeners.common import open_modal, request_target, tell_privately, user_of
from bot.slack.listeners.guards import verify_origin
from bot.slack.services import Services
from bot.texts import t
from bot.usecases import participation


def register(app: App) -> None:
    app.action(ids.A_CERTIFICATE)(certificate_clicked)


def certificate_clicked(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, services: Services
) -> None:
    """Check (a participant, completed, not purged), then make the PDF and upload it. From
    the Home tab a small modal says first that it is coming (a refusal replaces it)."""
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
    directory = services.refresh_directory()
    cert = participation.certificate_for(
        services.session_factory,
        target.request_id,
        user,
        directory=directory,
        tz=services.settings.timezone,
    )
    name = real_name(client, user)
    lang = services.lang_of(user)
    if not send_certificate(client, user, cert, directory, lang, name):
        text = t(lang, "cert.failed", id=target.request_id)
        tell_privately(client, body.get("response_url"), user, text)
