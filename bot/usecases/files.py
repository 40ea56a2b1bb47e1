"""A coordinator asks for files (the report page and its PDF, the payments list): they go
into their DM through the outbox, each once, and the audit trail says who took what."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.errors import Refused
from bot.infra.db import SessionFactory
from bot.usecases.common import audit
from bot.usecases.ports import Context, OutgoingFile


def send_files(
    session_factory: SessionFactory,
    user: str,
    files: Sequence[OutgoingFile],
    *,
    refused: str,
    ctx: Context,
    now: datetime,
) -> None:
    """`files` into the coordinator's DM; anybody else is refused (text key `refused`)."""
    if not ctx.directory.is_coordinator(user):
        raise Refused(refused)
    if not files:
        return
    with session_factory.begin() as session:
        audit(
            session,
            request_id=None,
            actor=user,
            action="files",
            now=now,
            comment=", ".join(f.filename for f in files),
        )
        ctx.notify.files_for(session, user, files, now=now)
