"""Builders for Slack requests in their real shapes, signed like Slack signs them.

Shapes are copied from payloads Slack's own SDKs use in their tests (slash
command form, block_actions, view_submission, Events API and Socket Mode
envelopes). Bodies are strings, exactly what goes over the wire.
"""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
TEAM_ID = "T0CRBOT"
TEAM_DOMAIN = "crbot-test"
APP_ID = "A0CRBOT"
BOT_ID = "B0CRBOT"
BOT_USER_ID = "U0CRBOT"
VERIFICATION_TOKEN = "legacy-verification-token"
# Default response_url: refused at once on loopback, so a test never reaches the internet.
UNSET_RESPONSE_URL = "http://127.0.0.1:9/unset-response-url"

_counter = itertools.count(1)


def _trigger_id() -> str:
    return f"{1_700_000_000_000 + next(_counter)}.47445629121.{uuid.uuid4().hex}"


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _option(value: str, text: str | None = None) -> dict[str, Any]:
    return {"text": _plain(text if text is not None else value), "value": value}


def _user(user_id: str, team_id: str) -> dict[str, Any]:
    name = user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _channel_name(channel_id: str) -> str:
    return "directmessage" if channel_id.startswith("D") else "cr-bot-test"


# urllib.parse.quote's encoding (safe: letters, digits, "_.-~" and "/"), by a table of the
# 256 bytes: quote looks each byte up in a dict subclass, a fifth of the CPU of building
# the large view submissions the fuzz tests send by the thousand; the bytes are the same
# (test_rig checks).
_UNQUOTED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/")
_QUOTED = [chr(b) if b in _UNQUOTED else f"%{b:02X}" for b in range(256)]


def quoted(text: str) -> str:
    """`urllib.parse.quote(text)`."""
    return "".join(map(_QUOTED.__getitem__, text.encode("utf-8")))


def form_body(payload: dict[str, Any]) -> str:
    """Wrap an interaction payload as Slack posts it: payload=<url-encoded json>."""
    return "payload=" + quoted(json.dumps(payload))


# ---- signing


def sign(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Headers Slack sends with body: timestamp, v0 signature, content type."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    is_json = body.lstrip().startswith("{")
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": str(signature),
        "Content-Type": "application/json" if is_json else "application/x-www-form-urlencoded",
    }


# ---- slash commands


def slash_command_fields(
    *,
    text: str = "",
    user_id: str,
    command: str = "/cr-request",
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    response_url: str | None = None,
    channel_id: str = "D0CHAN",
    enterprise_id: str | None = None,
) -> dict[str, str]:
    """The form fields of a slash command, in Slack's order.

    enterprise_id/enterprise_name appear only on Enterprise Grid, as on real Slack.
    """
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": _channel_name(channel_id),
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
    }
    if enterprise_id is not None:
        fields.update(enterprise_id=enterprise_id, enterprise_name="CR Org")
    fields["response_url"] = response_url or UNSET_RESPONSE_URL
    fields["trigger_id"] = trigger_id or _trigger_id()
    return fields


def slash_command(
    *,
    text: str = "",
    user_id: str,
    command: str = "/cr-request",
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    response_url: str | None = None,
    channel_id: str = "D0CHAN",
    enterprise_id: str | None = None,
) -> str:
    """A form-encoded slash command body."""
    return urlencode(
        slash_command_fields(
            text=text,
            user_id=user_id,
            command=command,
            team_id=team_id,
            trigger_id=trigger_id,
            response_url=response_url,
            channel_id=channel_id,
            enterprise_id=enterprise_id,
        )
    )


# ---- state.values elements (view_submission, block_actions in views)


def text_value(value: str | None, *, type: str = "plain_text_input") -> dict[str, Any]:
    """plain_text_input (or email/url_text_input); None is an empty optional input."""
    return {"type": type, "value": value}


def number_value(value: str | int | float | None) -> dict[str, Any]:
    """number_input: Slack sends the number as a string."""
    return {"type": "number_input", "value": None if value is None else str(value)}


def select_value(value: str | None, text: str | None = None) -> dict[str, Any]:
    """static_select; None means nothing selected."""
    return {
        "type": "static_select",
        "selected_option": None if value is None else _option(value, text),
    }


def multi_select_values(values: list[str], texts: list[str] | None = None) -> dict[str, Any]:
    """multi_static_select."""
    labels = texts or [None] * len(values)
    return {
        "type": "multi_static_select",
        "selected_options": [_option(v, t) for v, t in zip(values, labels, strict=True)],
    }


def radio_value(value: str | None, text: str | None = None) -> dict[str, Any]:
    """radio_buttons."""
    return {
        "type": "radio_buttons",
        "selected_option": None if value is None else _option(value, text),
    }


def checkboxes_values(values: list[str]) -> dict[str, Any]:
    """checkboxes."""
    return {"type": "checkboxes", "selected_options": [_option(v) for v in values]}


def date_value(day: str | None) -> dict[str, Any]:
    """datepicker, day as "YYYY-MM-DD"."""
    return {"type": "datepicker", "selected_date": day}


def user_value(user_id: str | None) -> dict[str, Any]:
    """users_select."""
    return {"type": "users_select", "selected_user": user_id}


def users_value(user_ids: list[str]) -> dict[str, Any]:
    """multi_users_select."""
    return {"type": "multi_users_select", "selected_users": list(user_ids)}


# ---- views


def _blocks_for(values: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "type": "input",
            "block_id": block_id,
            "label": _plain(block_id),
            "optional": False,
            "dispatch_action": False,
            "element": {"type": element["type"], "action_id": action_id},
        }
        for block_id, actions in values.items()
        for action_id, element in actions.items()
    ]


def modal_view(
    *,
    view_id: str = "V0VIEW",
    callback_id: str = "",
    values: dict[str, dict[str, Any]] | None = None,
    private_metadata: str = "",
    view_hash: str = "h1",
    team_id: str = TEAM_ID,
    blocks: list[dict[str, Any]] | None = None,
    external_id: str = "",
) -> dict[str, Any]:
    """A modal view as Slack includes it in interaction payloads."""
    state = values or {}
    return {
        "id": view_id,
        "team_id": team_id,
        "type": "modal",
        "blocks": blocks if blocks is not None else _blocks_for(state),
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": state},
        "hash": view_hash,
        "title": _plain("CR Bot"),
        "clear_on_close": False,
        "notify_on_close": False,
        "close": _plain("Cancel"),
        "submit": _plain("Submit"),
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": external_id,
        "app_installed_team_id": team_id,
        "bot_id": BOT_ID,
    }


def view_submission_payload(
    *,
    callback_id: str,
    user_id: str,
    values: dict[str, dict[str, Any]],
    private_metadata: str = "",
    view_id: str = "V0VIEW",
    view_hash: str = "h1",
    team_id: str = TEAM_ID,
    blocks: list[dict[str, Any]] | None = None,
    locale: str | None = None,
) -> dict[str, Any]:
    """A view_submission payload; values is view.state.values."""
    user = _user(user_id, team_id)
    if locale is not None:
        user["locale"] = locale  # not in Slack's samples; opt-in only
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": user,
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": _trigger_id(),
        "view": modal_view(
            view_id=view_id,
            callback_id=callback_id,
            values=values,
            private_metadata=private_metadata,
            view_hash=view_hash,
            team_id=team_id,
            blocks=blocks,
        ),
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_submission(
    *,
    callback_id: str,
    user_id: str,
    values: dict[str, dict[str, Any]],
    private_metadata: str = "",
    view_id: str = "V0VIEW",
    view_hash: str = "h1",
    team_id: str = TEAM_ID,
    blocks: list[dict[str, Any]] | None = None,
    locale: str | None = None,
) -> str:
    """A view_submission request body ("payload=<json>")."""
    return form_body(
        view_submission_payload(
            callback_id=callback_id,
            user_id=user_id,
            values=values,
            private_metadata=private_metadata,
            view_id=view_id,
            view_hash=view_hash,
            team_id=team_id,
            blocks=blocks,
            locale=locale,
        )
    )


# ---- block actions


def block_actions_payload(
    *,
    action_id: str,
    value: str,
    user_id: str,
    block_id: str = "b",
    channel_id: str = "D0CHAN",
    message_ts: str = "1700000000.000100",
    message: dict[str, Any] | None = None,
    container_type: str = "message",
    view: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    response_url: str | None = None,
    team_id: str = TEAM_ID,
    action: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A block_actions payload for a button (or the given action element) click.

    container_type="message": a click in a bot message (channel, message, response_url).
    container_type="view": a click inside a modal or home tab (view, no response_url).
    """
    clicked: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "text": _plain(value),
        "value": value,
        "type": "button",
        "action_ts": f"{time.time():.6f}",
    }
    if action is not None:
        clicked = {
            "action_id": action_id,
            "block_id": block_id,
            "action_ts": clicked["action_ts"],
            **action,
        }
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "container": {},
        "trigger_id": trigger_id or _trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if container_type == "view":
        shown = view if view is not None else modal_view(team_id=team_id)
        payload["container"] = {"type": "view", "view_id": shown["id"]}
        payload["view"] = shown
    elif container_type == "message":
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": _channel_name(channel_id)}
        payload["message"] = message or {
            "bot_id": BOT_ID,
            "type": "message",
            "text": "This content can't be displayed.",
            "user": BOT_USER_ID,
            "ts": message_ts,
            "team": team_id,
            "blocks": [{"type": "actions", "block_id": block_id, "elements": [clicked]}],
        }
        payload["state"] = {"values": {}}
        payload["response_url"] = response_url or UNSET_RESPONSE_URL
    else:
        raise ValueError(f"container_type must be 'message' or 'view', not {container_type!r}")
    payload["actions"] = [clicked]
    return payload


def block_actions(
    *,
    action_id: str,
    value: str,
    user_id: str,
    block_id: str = "b",
    channel_id: str = "D0CHAN",
    message_ts: str = "1700000000.000100",
    message: dict[str, Any] | None = None,
    container_type: str = "message",
    view: dict[str, Any] | None = None,
    trigger_id: str | None = None,
    response_url: str | None = None,
    team_id: str = TEAM_ID,
    action: dict[str, Any] | None = None,
) -> str:
    """A block_actions request body ("payload=<json>")."""
    return form_body(
        block_actions_payload(
            action_id=action_id,
            value=value,
            user_id=user_id,
            block_id=block_id,
            channel_id=channel_id,
            message_ts=message_ts,
            message=message,
            container_type=container_type,
            view=view,
            trigger_id=trigger_id,
            response_url=response_url,
            team_id=team_id,
            action=action,
        )
    )


# ---- Events API


def event_callback_payload(
    event: dict[str, Any], *, team_id: str = TEAM_ID, event_id: str | None = None
) -> dict[str, Any]:
    """The Events API envelope around an inner event."""
    now = int(time.time())
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_counter):08d}",
        "event_time": now,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def event_callback(
    event: dict[str, Any], *, team_id: str = TEAM_ID, event_id: str | None = None
) -> str:
    """A JSON Events API request body."""
    return json.dumps(event_callback_payload(event, team_id=team_id, event_id=event_id))


def app_home_opened(
    *,
    user_id: str,
    tab: str = "home",
    channel_id: str = "D0CHAN",
    view: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The inner app_home_opened event (view only once a home tab was published)."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel_id,
        "tab": tab,
        "event_ts": f"{time.time():.6f}",
    }
    if view is not None:
        event["view"] = view
    return event


def url_verification(challenge: str) -> str:
    """The JSON body of Slack's request URL check."""
    return json.dumps(
        {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    )


# ---- Socket Mode envelopes


def _envelope(
    kind: str, payload: dict[str, Any], envelope_id: str | None, accepts: bool
) -> dict[str, Any]:
    return {
        "envelope_id": envelope_id or str(uuid.uuid4()),
        "payload": payload,
        "type": kind,
        "accepts_response_payload": accepts,
    }


def envelope_slash_command(
    form_fields: dict[str, str], envelope_id: str | None = None
) -> dict[str, Any]:
    """Socket Mode envelope for a slash command (payload = the form fields as a dict)."""
    return _envelope("slash_commands", form_fields, envelope_id, True)


def envelope_interactive(payload: dict[str, Any], envelope_id: str | None = None) -> dict[str, Any]:
    """Socket Mode envelope for block_actions / view_submission / shortcuts."""
    accepts = payload.get("type") in ("view_submission", "block_suggestion")
    return _envelope("interactive", payload, envelope_id, accepts)


def envelope_event(
    body: dict[str, Any], envelope_id: str | None = None, *, retry_attempt: int = 0
) -> dict[str, Any]:
    """Socket Mode envelope for an Events API body (see event_callback_payload)."""
    envelope = _envelope("events_api", body, envelope_id, False)
    envelope.update(retry_attempt=retry_attempt, retry_reason="")
    return envelope


# ---- HTTP client


class SlackHTTP:
    """Posts signed requests to an app's /slack/events, as Slack would."""

    def __init__(
        self,
        base_url: str,
        *,
        secret: str = SIGNING_SECRET,
        path: str = "/slack/events",
        timeout: float = 5.0,
    ) -> None:
        self.endpoint = base_url.rstrip("/") + path
        self.secret = secret
        self.timeout = timeout

    def post(self, body: str, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        """POST body with headers as given; return (status, text, headers)."""
        request = urllib.request.Request(
            self.endpoint, data=body.encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    def signed(self, body: str) -> tuple[int, Any]:
        """Sign and POST body; return (status, parsed JSON or text)."""
        status, text, _ = self.post(body, sign(body, secret=self.secret))
        try:
            return status, json.loads(text)
        except ValueError:
            return status, text

    def command(self, **kwargs: Any) -> tuple[int, Any]:
        """Send slash_command(**kwargs)."""
        return self.signed(slash_command(**kwargs))

    def submit(self, **kwargs: Any) -> tuple[int, Any]:
        """Send view_submission(**kwargs)."""
        return self.signed(view_submission(**kwargs))

    def click(self, **kwargs: Any) -> tuple[int, Any]:
        """Send block_actions(**kwargs)."""
        return self.signed(block_actions(**kwargs))

    def event(self, event: dict[str, Any], **kwargs: Any) -> tuple[int, Any]:
        """Send event_callback(event, **kwargs)."""
        return self.signed(event_callback(event, **kwargs))
