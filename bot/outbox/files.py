"""A file into someone's DM (a FILE_DM row), so that a retry never shows it twice.

Slack's upload is three steps: `files.getUploadURLExternal` (a file id and a URL), the
bytes POSTed to that URL, `files.completeUploadExternal` (which shares the file into the
conversation: the only step anybody sees). A file uploaded but never completed stays
private and is dropped by Slack; so only the completion must happen once.

The row's payload keeps where the upload stands (`_upload`, saved in a transaction of its
own before the next step): the DM, the file id and its URL once issued, and `completing`
just before the completion is asked for. A retry after that first asks Slack
(`files.info`) whether the file is already shared in the DM; only when it is not does it
complete it again. The bytes stay in the row (`content`, text; `_content_b64`, binary)
until it is sent; the sender then drops them (`sent_payload`).

A row may instead name what its file is made from (`_make`: a kind, e.g. "certificate",
and what that kind needs): the file is made when the row is first sent, by the maker the
composition root registered for the kind (`made`), and saved into the row before the
upload starts, so that every retry uploads the same bytes. A maker that can never make it
(`NotMade`: what it was made from is gone) ends the row unsent.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.error import HTTPError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.outbox.calls import is_transient

log = logging.getLogger("bot.outbox")

UPLOAD = "_upload"
CONTENT_B64 = "_content_b64"
MAKE = "_make"
# What a sent row keeps of its payload (the bytes are in Slack now).
_DROPPED = ("content", CONTENT_B64)

Save = Callable[[dict[str, Any]], None]


class StartOver(RuntimeError):
    """The issued upload URL refused the bytes (expired, say): a new one next time."""


class NotMade(Exception):
    """The file can never be made (what it is made from is gone): the row ends unsent."""


class RowGone(NotMade):
    """The row itself is gone (its request purged) or was sent meanwhile: stop there."""


@dataclass(frozen=True)
class MadeFile:
    """A file a maker made: its bytes, name, title and the comment that introduces it."""

    content: bytes
    filename: str
    title: str
    comment: str


# Makes the file a row names (its whole payload: `user`, `_make`). Raises NotMade for good;
# anything else it raises (Slack's 5xx, a timeout) is retried like any failed send.
Maker = Callable[[dict[str, Any]], MadeFile]


def made(payload: dict[str, Any], makers: Mapping[str, Maker], save: Save) -> dict[str, Any]:
    """The row's payload with its file: as it is when the row holds the bytes; else made
    now by the maker of its kind and saved (before anything is uploaded)."""
    spec = payload.get(MAKE)
    if not spec or CONTENT_B64 in payload or "content" in payload:
        return payload
    maker = makers.get(str(spec.get("kind")))
    if maker is None:  # a process that cannot make it (a one-off command): one that can will
        raise RuntimeError(f"nothing here makes a {spec.get('kind')!r} file")
    file = maker(payload)
    ready = {
        **payload,
        "filename": file.filename,
        "title": file.title,
        "initial_comment": file.comment,
        CONTENT_B64: binary(file.content),
    }
    save(ready)
    return ready


def content(payload: dict[str, Any]) -> bytes:
    """The file's bytes as the row keeps them."""
    if CONTENT_B64 in payload:
        return base64.b64decode(payload[CONTENT_B64])
    text = payload.get("content", "")
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


def binary(data: bytes) -> str:
    """Bytes as a payload keeps them (`_content_b64`)."""
    return base64.b64encode(data).decode("ascii")


def sent_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The row's payload once the file is shared: without its bytes."""
    return {k: v for k, v in payload.items() if k not in _DROPPED}


def deliver(client: WebClient, payload: dict[str, Any], save: Save) -> dict[str, Any]:
    """Share the row's file into the DM with `payload["user"]`, resuming where an earlier
    attempt stopped; returns {"channel", "ts"} (ts when Slack says it). Raises what the
    client raises; `save(payload)` stores the row's payload before each step that needs it.
    """
    state: dict[str, Any] = dict(payload.get(UPLOAD) or {})
    if state.get("completing"):
        shared = _shared(client, state, payload, save)
        if shared is not None:
            log.info("file %s was shared before; not sharing again", state["file_id"])
            return shared
    if not state.get("channel"):
        state["channel"] = client.conversations_open(users=payload["user"])["channel"]["id"]
    data = content(payload)
    if not state.get("file_id"):
        issued = client.files_getUploadURLExternal(filename=payload["filename"], length=len(data))
        state.update(file_id=issued["file_id"], url=issued["upload_url"], completing=False)
        save({**payload, UPLOAD: state})
    if not state.get("completing"):
        _upload(client, state["url"], data, payload, save)
        state["completing"] = True
        save({**payload, UPLOAD: state})
    done = client.files_completeUploadExternal(
        files=[{"id": state["file_id"], "title": payload.get("title")}],
        channel_id=state["channel"],
        initial_comment=payload.get("initial_comment"),
    )
    files = done.get("files") or [{}]
    return {"channel": state["channel"], "ts": _share_ts(files[0], state["channel"])}


def _upload(client: WebClient, url: str, data: bytes, payload: dict[str, Any], save: Save) -> None:
    """The bytes to the issued URL; a 4xx there means the URL is spent: start over."""
    try:
        result = client._upload_file(
            url=url,
            data=data,
            logger=log,
            timeout=client.timeout,
            proxy=client.proxy,
            ssl=client.ssl,
        )
        status = int(result.status or 0)
    except HTTPError as exc:
        status = exc.code
    if 200 <= status < 300:
        return
    if 400 <= status < 500 and status != 429:
        save({k: v for k, v in payload.items() if k != UPLOAD})
        raise StartOver(f"the upload URL answered {status}; a new one next time")
    raise OSError(f"the upload answered HTTP {status}")


def _shared(
    client: WebClient, state: dict[str, Any], payload: dict[str, Any], save: Save
) -> dict[str, Any] | None:
    """Where the file is shared in the DM, if Slack says it is; None when it is not (or
    Slack cannot tell for good: then completing again beats never showing it)."""
    try:
        info = client.files_info(file=state["file_id"])
    except SlackApiError as exc:
        if is_transient(exc):
            raise  # asked again later
        error = str(exc.response.get("error", "")) if exc.response else ""
        if error == "file_not_found":  # never completed, and gone: nobody saw it
            save({k: v for k, v in payload.items() if k != UPLOAD})
            raise StartOver(f"file {state['file_id']} is gone; a new upload next time") from exc
        log.warning("cannot check whether file %s was shared (%s)", state["file_id"], error)
        return None
    file = info.get("file") or {}
    ts = _share_ts(file, state["channel"])
    if ts is None and state["channel"] not in (file.get("ims") or []):
        return None
    return {"channel": state["channel"], "ts": ts}


def _share_ts(file: dict[str, Any], channel: str) -> str | None:
    """The ts of the message that shared `file` in `channel`, if Slack names it."""
    shares = file.get("shares") or {}
    for kind in ("private", "public"):
        for share in (shares.get(kind) or {}).get(channel) or []:
            if share.get("ts"):
                return str(share["ts"])
    return None
