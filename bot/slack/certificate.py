"""The certificate of participation into the person's DM with the bot, as a file (files
upload v2: getUploadURLExternal, the upload, completeUploadExternal).

Made on request (the button in the DM after the exchange, or on the Home tab): the PDF is
printed by Chromium after the ack, from what the database says now and the person's name
as Slack's profile has it now; nothing of it is stored. When Slack refuses the upload the
person is told and can press the button again.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.domain.directory import Directory
from bot.domain.errors import Refused
from bot.domain.participation import Certificate
from bot.render.certificate import certificate_file
from bot.slack.blocks import clip, escape
from bot.texts import t

log = logging.getLogger(__name__)


def real_name(client: WebClient, user: str) -> str:
    """The person's name as their Slack profile has it (users.info): the real name, else
    the display name; Refused when Slack cannot say (the certificate needs it)."""
    try:
        info = client.users_info(user=user)["user"]
    except (SlackApiError, OSError) as exc:
        log.warning("users.info for %s failed: %s", user, exc)
        raise Refused("refused.certificate_no_name") from None
    profile = info.get("profile") or {}
    for name in (
        profile.get("real_name"),
        info.get("real_name"),
        profile.get("display_name"),
        info.get("name"),
    ):
        if isinstance(name, str) and name.strip():
            return name.strip()
    raise Refused("refused.certificate_no_name")


def send_certificate(
    client: WebClient, user: str, cert: Certificate, directory: Directory, lang: str, name: str
) -> bool:
    """Upload the certificate into the DM with `user`; False when Slack refused it."""
    s = cert.part.request
    made = certificate_file(cert, directory, lang, name=name)
    comment = t(lang, "cert.upload_comment", id=s.id, title=escape(clip(s.title, 150)))
    if not made.pdf:
        comment += "\n" + t(lang, "cert.html_note")
    try:
        opened = client.conversations_open(users=user)
        client.files_upload_v2(
            channel=opened["channel"]["id"],
            content=made.content,
            filename=made.filename,
            title=t(lang, "cert.upload_title", id=s.id),
            initial_comment=comment,
        )
    except (SlackClientError, OSError) as exc:
        log.warning("certificate %s for %s not uploaded: %s", s.id, user, exc)
        return False
    return True
