"""The digest channel: upcoming exchanges, the first message in the channel, the rest in
its thread."""

from __future__ import annotations

from datetime import datetime

from bot.domain.digest import Digest
from bot.slack.digest import digest_messages
from bot.slack.notify.base import NotifierBase


class DigestNotifier(NotifierBase):
    def digest(
        self, session: object, digest: Digest, channel: str, lang: str, *, now: datetime
    ) -> None:
        """The channel digest: the first message in the channel, the rest in its thread."""
        out = self.outbox(session, now)
        first: object | None = None
        for message in digest_messages(digest, self.directory, lang):
            row = out.post(
                "chat.postMessage",
                {"channel": channel, "unfurl_links": False, **message},
                thread_of=first,
            )
            if first is None:  # the thread's later messages refer to the first row
                first = row
