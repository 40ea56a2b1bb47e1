"""Slack calls: the kinds of outbox rows, the Slack methods each calls, how Slack's answers
are read (transient or permanent, Retry-After), and the look for a message Slack may have
posted although its answer never came."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from models import OutboxMessage

log = logging.getLogger("bot.outbox")

POST = "chat.postMessage"
UPDATE = "chat.update"
# Not a Slack method: conversations.open for several users, then chat.postMessage there.
GROUP_DM = "group_dm"
# Not a Slack method: conversations.open with one user, then the three steps of an upload
# into that DM, resumable (bot.outbox.files); files.info checks a completion in doubt.
FILE_DM = "file_dm"
# Not a Slack method: render the person's Home tab at send time and views.publish it.
HOME_REFRESH = "home_refresh"
# A payload flag: the row's `thread_of` message is not its thread but the message it links
# to; once that is posted, its permalink replaces PERMALINK in the text and blocks.
LINK_PARENT = "_link_parent"
# What the outbox puts in place of the permalink of the message a DM links to.
PERMALINK = "%PERMALINK%"
# The event type of the metadata every posted message carries (its outbox row's id).
MARKER = "cr_bot_outbox"
TIMEOUT = "timeout: "
# Errors that mean "try again later"; every other `ok: false` is permanent.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
# The look for a message posted despite a timeout reads the conversation a page at a time,
# newest first, up to this many pages (a DM with the bot rarely holds more).
PAGE = 200
MAX_PAGES = 50

# The Slack methods each kind of row calls (others call the method they are named after).
SLACK_CALLS: dict[str, tuple[str, ...]] = {
    GROUP_DM: ("conversations.open", POST),
    FILE_DM: (
        "conversations.open",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "files.info",
    ),
    HOME_REFRESH: ("views.publish",),
}


def calls(outbox_method: str) -> tuple[str, ...]:
    """The Slack methods a row of this kind calls."""
    return SLACK_CALLS.get(outbox_method, (outbox_method,))


def rows_calling(slack_method: str) -> list[str]:
    """The kinds of rows that call this Slack method."""
    return sorted({m for m, c in SLACK_CALLS.items() if slack_method in c} | {slack_method})


def call(
    client: WebClient,
    method: str,
    payload: dict[str, Any],
    home: Callable[[str], dict[str, Any]] | None,
) -> SlackResponse:
    """Make the Slack call(s) of one row; raises what the client raises."""
    if method == HOME_REFRESH:
        assert home is not None
        user = payload["user"]
        return client.views_publish(user_id=user, view=home(user))
    if method == GROUP_DM:
        users = payload.pop("users")
        opened = client.conversations_open(users=",".join(users))
        payload["channel"] = opened["channel"]["id"]
        return client.chat_postMessage(**payload)
    return client.api_call(method, json=payload)


def find_posted(
    client: WebClient, row: OutboxMessage, payload: dict[str, Any]
) -> tuple[str, str] | None:
    """Where Slack posted this row's message, if it did: read the
    conversation back from the newest message, page by page (`cursor`), however many came
    after it. None when it is not there; raises what the client raises.

    (No `oldest`: that is Slack's clock, and the row's time is ours.)"""
    if row.method == GROUP_DM:
        channel = client.conversations_open(users=",".join(payload["users"]))["channel"]["id"]
    else:
        channel = str(payload["channel"])
        if channel[:1] in ("U", "W"):
            channel = client.conversations_open(users=channel)["channel"]["id"]
    cursor = ""
    for _page in range(MAX_PAGES):
        history = client.conversations_history(
            channel=channel, limit=PAGE, cursor=cursor, include_all_metadata=True
        )
        for message in history.get("messages") or []:
            if is_ours(row, payload, message):
                return channel, str(message.get("ts"))
        cursor = str((history.get("response_metadata") or {}).get("next_cursor") or "")
        if not history.get("has_more") or not cursor:
            return None
    log.warning("outbox %s: more than %s pages since it was written", row.id, MAX_PAGES)
    return None


def is_ours(row: OutboxMessage, payload: dict[str, Any], message: dict[str, Any]) -> bool:
    """Whether a message in the conversation is this row's."""
    marker = (message.get("metadata") or {}).get("event_payload") or {}
    return marker.get("outbox_id") == row.id


def with_link(payload: dict[str, Any], link: str | None) -> dict[str, Any]:
    """The payload with every PERMALINK in its strings replaced by `link`; with None, every
    `<PERMALINK|label>` left out."""

    def fill(node: Any) -> Any:
        if isinstance(node, str):
            if link is None:
                return re.sub(rf"\n?<{re.escape(PERMALINK)}\|[^>]*>", "", node)
            return node.replace(PERMALINK, link)
        if isinstance(node, dict):
            return {k: fill(v) for k, v in node.items()}
        if isinstance(node, list):
            return [fill(v) for v in node]
        return node

    return dict(fill(payload))


def called_method(exc: SlackApiError, fallback: str) -> str:
    """The Slack method that answered with this error."""
    url = getattr(exc.response, "api_url", "") or ""
    return url.rstrip("/").rsplit("/", 1)[-1] or fallback


def retry_after(exc: SlackApiError) -> timedelta | None:
    """Slack's Retry-After, if it sent one."""
    headers = exc.response.headers if exc.response else {}
    value = None
    for key, v in (headers or {}).items():
        if key.lower() == "retry-after":
            value = v[0] if isinstance(v, list) else v
    try:
        return timedelta(seconds=int(value)) if value is not None else None
    except ValueError:
        return None


def slack_error(exc: SlackApiError) -> tuple[str, int]:
    """Slack's `error` and the HTTP status."""
    error = str(exc.response.get("error", "")) if exc.response else ""
    return error, exc.response.status_code if exc.response else 0


def is_transient(exc: BaseException) -> bool:
    """5xx, 429, a transient `ok: false`, or no answer at all (network, timeout)."""
    if isinstance(exc, SlackApiError):
        error, status = slack_error(exc)
        return status == 429 or status >= 500 or error in TRANSIENT_ERRORS
    return True


def is_timeout(exc: BaseException) -> bool:
    """A timeout leaves it open whether Slack acted; a refused connection does not."""
    if isinstance(exc, TimeoutError):
        return True
    reason = getattr(exc, "reason", None)
    return isinstance(reason, TimeoutError)


def marked(row_id: int | None) -> dict[str, Any]:
    """The metadata that marks a posted message as this row's."""
    return {"event_type": MARKER, "event_payload": {"outbox_id": row_id}}
