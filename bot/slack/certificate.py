"""The certificate of participation as a file in the person's DM, through the outbox.

The row (`certificate_row`) names only what to make: the request, the person, their
language, and the occasion (the exchange was completed, or they pressed *Bescheinigung
herunterladen*). The outbox asks `CertificateMaker` for the file when it first sends the
row, outside any transaction (Chromium takes seconds): from what the database says then
and the person's name as Slack's profile has it then. It keeps the bytes in the row until
the upload is complete, so a retry uploads the same file, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.directory import Directory
from bot.domain.errors import Refused
from bot.domain.request import Summary
from bot.infra.db import SessionFactory
from bot.outbox import FILE_DM
from bot.outbox.calls import is_transient
from bot.outbox.files import MAKE, MadeFile, NotMade
from bot.render.certificate import certificate_file
from bot.slack.blocks import clip, escape
from bot.slack.notify.base import Outbox
from bot.texts import t
from bot.usecases import participation

log = logging.getLogger(__name__)

CERTIFICATE = "certificate"  # the kind of file a row's `_make` names
COMPLETED, ASKED = "completed", "asked"  # the occasions: the comment that comes with it
# Chromium gets less than half the outbox's 60 s claim, so the upload fits in it too.
PRINT_TIMEOUT = 25


def certificate_row(out: Outbox, s: Summary, user: str, lang: str, occasion: str) -> None:
    """Enqueue the certificate of `user` for the DM with them; made when it is sent. None
    when one for them is still on its way (a second click while Slack is slow or failing):
    the caller holds the request's lock, so two clicks at once enqueue one."""
    if any(
        payload.get("user") == user and (payload.get(MAKE) or {}).get("kind") == CERTIFICATE
        for payload in out.waiting(FILE_DM, s.id)
    ):
        return
    spec = {"kind": CERTIFICATE, "request_id": s.id, "lang": lang, "occasion": occasion}
    out.post(FILE_DM, {"user": user, MAKE: spec}, request_id=s.id)


class CertificateMaker:
    """Makes a certificate row's file (`bot.outbox.files.Maker`)."""

    def __init__(
        self,
        session_factory: SessionFactory,
        client: WebClient,
        directory: Callable[[], Directory],
        tz: ZoneInfo,
    ) -> None:
        self.session_factory = session_factory
        self.client = client
        self.directory = directory
        self.tz = tz

    def __call__(self, payload: dict[str, Any]) -> MadeFile:
        spec, user = payload[MAKE], str(payload["user"])
        request_id, lang = int(spec["request_id"]), str(spec["lang"])
        directory = self.directory()
        try:  # purged meanwhile, or not (any more) theirs: none, for good
            cert = participation.certificate_for(
                self.session_factory, request_id, user, directory=directory, tz=self.tz
            )
        except Refused as exc:
            raise NotMade(f"no certificate {request_id} for {user}: {exc.key}") from None
        made = certificate_file(
            cert, directory, lang, name=real_name(self.client, user), timeout=PRINT_TIMEOUT
        )
        s = cert.part.request
        key = "dm.certificate" if spec.get("occasion") == COMPLETED else "cert.upload_comment"
        comment = t(lang, key, id=s.id, title=escape(clip(s.title, 150)))
        if not made.pdf:
            comment += "\n" + t(lang, "cert.html_note")
        title = t(lang, "cert.upload_title", id=s.id)
        return MadeFile(made.content, made.filename, title, comment)


def real_name(client: WebClient, user: str) -> str:
    """The person's name as their Slack profile has it (users.info): the real name, else
    the display name. NotMade when Slack says for good that it has none (no such user, no
    name); a passing failure (5xx, 429, a timeout) is raised as it is, to be tried again."""
    try:
        info = client.users_info(user=user)["user"]
    except SlackApiError as exc:
        if is_transient(exc):
            raise
        raise NotMade(f"users.info for {user}: {exc.response.get('error')}") from None
    profile = info.get("profile") or {}
    for name in (
        profile.get("real_name"),
        info.get("real_name"),
        profile.get("display_name"),
        info.get("name"),
    ):
        if isinstance(name, str) and name.strip():
            return name.strip()
    raise NotMade(f"Slack names no name for {user}")
