"""What the listeners share: who acted, what a button names, modal first then the checks,
the one text of a small modal, and the private reply.

Refusals are raised here, never rendered: the one error handler (`errors.py`) does that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain import answers
from bot.domain.errors import Refused
from bot.domain.people import LANGUAGES
from bot.infra.slack_http import webhook_client
from bot.slack import ids, views
from bot.slack.services import Services
from bot.slack.targets import NamingTarget, RequestTarget
from bot.texts import t

log = logging.getLogger(__name__)

# Context key: the modal this request opened. A refusal raised after it replaces the modal.
OPENED_MODAL = "opened_modal"


def user_of(body: dict[str, Any]) -> str:
    return str(body["user"]["id"])


def modal_lang(services: Services, meta: dict[str, Any], user: str) -> str:
    """The language the modal was built in (from its private_metadata), else the person's."""
    lang = meta.get("lang")
    return lang if lang in LANGUAGES else services.lang_of(user)


def action_value(body: dict[str, Any]) -> str | None:
    action = (body.get("actions") or [{}])[0]
    value = action.get("value") if isinstance(action, dict) else None
    return value if isinstance(value, str) else None


def not_found() -> Refused:
    return Refused("refused.not_found", {"id": "?"})


def request_target(body: dict[str, Any]) -> RequestTarget:
    """The request the clicked button names; a malformed value is refused as not found."""
    target = RequestTarget.parse(action_value(body))
    if target is None:
        raise not_found()
    return target


def naming_target(body: dict[str, Any]) -> NamingTarget:
    """The request and partner city a naming button names."""
    target = NamingTarget.parse(action_value(body))
    if target is None:
        raise not_found()
    return target


def open_modal(
    services: Services,
    client: WebClient,
    context: BoltContext,
    body: dict[str, Any],
    view: dict[str, Any],
) -> str | None:
    """views.open at once (the trigger dies in 3 s), before any check; the checks that follow
    may raise Refused, and the error handler then replaces this modal with the reason.

    Returns the opened view's id, or None when it could not open (said where they clicked).
    """
    user = user_of(body)
    try:
        opened = client.views_open(trigger_id=body["trigger_id"], view=view)["view"]
    except SlackApiError as exc:
        log.warning("views.open failed for %s: %s", user, exc.response.get("error"))
        text = t(services.lang_of(user), "error.button_modal_failed")
        tell_privately(client, body.get("response_url"), user, text)
        return None
    view_id = str(opened["id"])
    context[OPENED_MODAL] = view_id
    return view_id


def show_context(client: WebClient, view_id: str, view: dict[str, Any]) -> None:
    """After the check: the modal again, now with what the request is about. Input typed
    meanwhile stays (same block and action ids). Best effort: the modal works without it."""
    try:
        client.views_update(view_id=view_id, view=view)
    except (SlackApiError, OSError) as exc:  # closed meanwhile, refused, or no answer in time
        log.info("views.update with the request's context skipped: %s", exc)


def required_text(ack: Ack, view: dict[str, Any], lang: str) -> str | None:
    """The one text field of a small modal, or an inline error (acked) and None."""
    text = views.text_value(view.get("state", {}).get("values"), ids.B_REASON)
    problem = answers.check_text(text, ids.B_REASON)
    if problem:
        ack(response_action="errors", errors=views.form_errors([problem], lang))
        return None
    return text


def with_required_text(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    services: Services,
    act: Callable[[str, int, int, str], object],
) -> None:
    """A small modal of one required text: read it (an inline error when it is empty),
    then `act(user, request id, version, text)` — the use case — and only then the ack."""
    user = user_of(body)
    meta = views.parse_metadata(view.get("private_metadata"))
    text = required_text(ack, view, modal_lang(services, meta, user))
    if text is None:
        return
    act(user, views.metadata_id(meta, "id"), views.metadata_id(meta, "v"), text)
    ack()


def tell_privately(client: WebClient, response_url: str | None, user: str, text: str) -> None:
    """Best effort: below where the person acted (the response_url); when there is none or
    Slack does not take it, in the bot's DM with them."""
    if response_url:
        try:
            sent = webhook_client(client, response_url, timeout=5).send(
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
