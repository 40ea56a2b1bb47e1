"""Files into someone's DM (the report page and its PDF, the payments list, a certificate of
participation): an outbox row each, sent in the steps of an upload that a retry resumes
(`bot.outbox.files`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.request import Summary
from bot.outbox import FILE_DM
from bot.outbox.files import CONTENT_B64, binary
from bot.slack.certificate import ASKED, certificate_row
from bot.slack.notify.base import NotifierBase
from bot.usecases.ports import OutgoingFile


class FilesNotifier(NotifierBase):
    def files_for(
        self, session: object, user: str, files: Sequence[OutgoingFile], *, now: datetime
    ) -> None:
        out = self.outbox(session, now)
        for file in files:
            payload = {
                "user": user,
                "filename": file.filename,
                "title": file.title,
                "initial_comment": file.comment,
                CONTENT_B64: binary(file.content),
            }
            out.post(FILE_DM, payload)

    def certificate_asked(self, session: object, s: Summary, user: str, *, now: datetime) -> None:
        """The certificate into their DM (made when it is sent: `bot.slack.certificate`)."""
        lang = s.locale if user == s.requester_id else self.lang_of(user)
        certificate_row(self.outbox(session, now), s, user, lang, ASKED)
