"""One error handler: failures become a private message where the person acted.

Unknown errors are logged with their context (never swallowed); the person is
told, in their language, that nothing they typed is lost and to try again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.i18n import t
from bot.services import Services

log = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, DBAPIError, PoolTimeout)


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


class KeptAck(Ack):
    """Once acked, stays acked. Bolt's threaded runner sets `ack.response` back to None when
    a listener fails after its ack; the HTTP thread, still waiting for the ack, would then
    answer Slack with a 404 after 3 s instead of the ack it already has."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "response" and value is None and getattr(self, "response", None) is not None:
            return
        super().__setattr__(name, value)


def register(app: App, services: Services) -> None:
    @app.middleware
    def keep_acks(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        req.context["ack"] = KeptAck()
        return next()

    @app.error
    def on_error(
        error: Exception,
        body: dict[str, Any],
        response: BoltResponse | None,
        client: WebClient,
    ) -> BoltResponse | None:
        user = _user_of(body) or ""
        kind = body.get("type") or ("slash_command" if body.get("command") else "unknown")
        database_down = isinstance(error, DATABASE_ERRORS)
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


def _tell_privately(client: WebClient, body: dict[str, Any], user: str, text: str) -> None:
    """Best effort: the response_url of the command or button, else a DM."""
    url = body.get("response_url") or next(
        (u.get("response_url") for u in body.get("response_urls") or [] if isinstance(u, dict)),
        None,
    )
    tell_privately(client, url, user, text)


def tell_privately(client: WebClient, response_url: str | None, user: str, text: str) -> None:
    """Best effort: below where the person acted (the response_url); when there is none or
    Slack does not take it, in the bot's DM with them."""
    if response_url:
        try:
            sent = WebhookClient(response_url, timeout=5).send(
                text=text, response_type="ephemeral", replace_original=False
            )
            if sent.status_code == 200:
                return
            log.warning("response_url answered %s; telling %s in a DM", sent.status_code, user)
        except Exception as exc:
            log.warning("response_url failed (%s); telling %s in a DM", exc, user)
    if not user:
        return
    try:
        client.chat_postMessage(channel=user, text=text)
    except Exception:
        log.warning("could not tell %s about the failure", user)
