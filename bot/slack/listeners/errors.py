"""One error handler: what a listener raised becomes the right reply where the person acted.

A refusal (`Refused`, an expected outcome) is said in the person's language, chosen by the
kind of payload: in the submitted modal, in the modal the click opened, below the message,
or in a small modal on the Home tab. Unknown errors are logged with their context (never
swallowed); the person is told that nothing they typed is lost and to try again.
"""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.domain.errors import Refused
from bot.infra.db import DATABASE_CONFLICT, DATABASE_UNAVAILABLE
from bot.slack import messages, views
from bot.slack.listeners.common import OPENED_MODAL, modal_lang, tell_privately
from bot.slack.listeners.runtime import FAILED
from bot.slack.services import Services
from bot.texts import t

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    app.error(partial(on_error, services))


def on_error(
    services: Services,
    error: Exception,
    body: dict[str, Any],
    context: BoltContext,
    ack: Ack,
    response: BoltResponse | None,
    client: WebClient,
) -> BoltResponse | None:
    """Bolt's error handler, for listeners and middleware alike.

    `response` is None when Bolt already sent the ack (threaded runner); otherwise what we
    return becomes the HTTP answer, so an unacked view submission gets its response_action.
    """
    # Nothing to deliver, unless a refusal handed something on (committed before it).
    context[FAILED] = not (isinstance(error, Refused) and error.handed_on)
    if isinstance(error, Refused):
        # Not acked yet (`response` is Bolt's 500): the answer is built on a scratch Ack and
        # returned, and Bolt copies it into the response it sends. Calling the request's own
        # ack here would wake Bolt's waiting HTTP thread (production: it polls ack.response)
        # before that copy, and Slack got the 500 (seen under load in the benchmark).
        answer = Ack() if response is not None else ack
        try:
            reply_to_refusal(services, error, body, context, answer, client)
        except Exception as exc:
            # The reason could not be shown (Slack failed us): as any other failure.
            return on_unknown_error(services, exc, body, response, client)
        return answer.response if response is not None else None
    return on_unknown_error(services, error, body, response, client)


def reply_to_refusal(
    services: Services,
    refused: Refused,
    body: dict[str, Any],
    context: BoltContext,
    ack: Ack,
    client: WebClient,
) -> None:
    user = _user_of(body) or ""
    kind = _kind(body)
    log.info("refused %s by %s: %s", kind, user, refused)
    tz = services.settings.timezone
    if kind == "view_submission" and ack.response is None:
        view = body.get("view") or {}
        lang = modal_lang(services, views.parse_metadata(view.get("private_metadata")), user)
        text = messages.refusal_text(refused.key, refused.params, lang, tz)
        if refused.field:
            ack(response_action="errors", errors={refused.field: text})
        else:
            ack(response_action="update", view=views.notice_modal(text, lang))
        return
    if ack.response is None:
        ack()
    lang = services.lang_of(user)
    text = messages.refusal_text(refused.key, refused.params, lang, tz)
    opened = context.get(OPENED_MODAL)
    if opened:
        client.views_update(view_id=opened, view=views.notice_modal(text, lang))
    elif kind == "block_actions" and not body.get("response_url") and body.get("trigger_id"):
        # A click on the Home tab has no response_url: the reason comes in a small modal.
        client.views_open(trigger_id=body["trigger_id"], view=views.notice_modal(text, lang))
    else:
        _tell_privately(client, body, user, text)


def on_unknown_error(
    services: Services,
    error: Exception,
    body: dict[str, Any],
    response: BoltResponse | None,
    client: WebClient,
) -> BoltResponse | None:
    user = _user_of(body) or ""
    kind = _kind(body)
    # A unique key that refused a row is a conflict between two actions, not an outage.
    database_down = isinstance(error, DATABASE_UNAVAILABLE) and not isinstance(
        error, DATABASE_CONFLICT
    )
    if database_down:
        log.error("database unavailable during %s by %s: %s", kind, user, error)
    else:
        log.exception(
            "unexpected error during %s by %s (callback %s)",
            kind,
            user,
            (body.get("view") or {}).get("callback_id")
            or [a.get("action_id") for a in body.get("actions") or []]
            or body.get("command"),
            exc_info=error,
        )
    text = t(services.lang_of(user), "error.db" if database_down else "error.generic")
    acked = response is None or response.status != 500
    if not acked:
        # Still inside Slack's 3 s: answer where the person is.
        if kind == "view_submission":
            block = _first_input_block(body.get("view") or {})
            if block:
                payload = {"response_action": "errors", "errors": {block: text}}
                return BoltResponse(
                    status=200,
                    body=json.dumps(payload),
                    headers={"content-type": "application/json"},
                )
        if body.get("command"):
            return BoltResponse(
                status=200,
                body=json.dumps({"response_type": "ephemeral", "text": text}),
                headers={"content-type": "application/json"},
            )
    _tell_privately(client, body, user, text)
    return BoltResponse(status=200, body="") if not acked else None


def _kind(body: dict[str, Any]) -> str:
    return str(body.get("type") or ("slash_command" if body.get("command") else "unknown"))


def _user_of(body: dict[str, Any]) -> str | None:
    user = body.get("user")
    if isinstance(user, dict):
        return user.get("id")
    return body.get("user_id") or (body.get("event") or {}).get("user")


def _first_input_block(view: dict[str, Any]) -> str | None:
    for block in view.get("blocks") or []:
        if isinstance(block, dict) and block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None


def _tell_privately(client: WebClient, body: dict[str, Any], user: str, text: str) -> None:
    """Best effort: the response_url of the command or button, else a DM."""
    url = body.get("response_url") or next(
        (u.get("response_url") for u in body.get("response_urls") or [] if isinstance(u, dict)),
        None,
    )
    tell_privately(client, url, user, text)
