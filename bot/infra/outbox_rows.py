"""The outbox rows of one transaction, as the Slack notifier writes them (its `Outbox`):
Slack calls to make after the commit, and the messages with buttons it keeps track of
(`ActionMessage`) to update them later. The notifier itself never touches the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from bot.outbox import drop_held, enqueue, refresh_home
from bot.outbox.rows import Enqueued, NewMessage
from bot.outbox.writer import close_tracked, supersede_updates, write_tracked
from models import ActionMessage, OutboxMessage


class Track(Protocol):
    """A message to keep track of (`bot.slack.notify.base.Track`)."""

    @property
    def kind(self) -> str: ...

    @property
    def user_id(self) -> str: ...

    @property
    def round(self) -> int | None: ...

    @property
    def city_key(self) -> str | None: ...


_OPEN = (
    select(ActionMessage)
    .where(
        ActionMessage.request_id == bindparam("request_id"), col(ActionMessage.closed).is_(False)
    )
    .order_by(col(ActionMessage.id))
)


class OutboxRows:
    """`Outbox` over the use case's session: rows written when it commits."""

    def __init__(self, session: object, now: datetime) -> None:
        self.session = cast(Session, session)
        self.now = now
        # The open tracked messages of a request, read once for this transaction's
        # questions about them (a decision closes the copies, then updates the
        # confirmation); read again after anything that adds or closes some by SQL.
        self._open: dict[int, list[ActionMessage]] = {}

    def post(
        self,
        method: str,
        payload: dict[str, Any],
        *,
        request_id: int | None = None,
        track: Track | None = None,
        thread_of: object | None = None,
        not_before: datetime | None = None,
    ) -> object:
        tracked = None
        if track is not None:
            assert request_id is not None, "a tracked message belongs to a request"
            tracked = NewMessage(
                request_id,
                track.kind,
                track.user_id,
                round=1 if track.round is None else track.round,
                city_key=track.city_key or "",
            )
            self._open.pop(request_id, None)
        return enqueue(
            self.session,
            method,
            payload,
            request_id=request_id,
            action_message=tracked,
            thread_of=cast(Enqueued | None, thread_of),
            not_before=not_before,
            now=self.now,
        )

    def open(
        self,
        request_id: int,
        kinds: tuple[str, ...] = (),
        *,
        but: str | None = None,
        city_key: str | None = None,
        user_id: str | None = None,
    ) -> Sequence[ActionMessage]:
        known = self._open.get(request_id)
        if known is None:
            write_tracked(self.session)  # the transaction's own new ones and closes too
            known = self._open[request_id] = list(
                self.session.exec(_OPEN, params={"request_id": request_id}).all()
            )
        return [
            m
            for m in known
            if not m.closed
            and (not but or m.kind != but)
            and (not kinds or m.kind in kinds)
            and (not city_key or m.city_key == city_key)
            and (not user_id or m.user_id == user_id)
        ]

    def update(
        self, tracked: object, payload: dict[str, Any], *, request_id: int, close: bool
    ) -> None:
        message = cast(ActionMessage, tracked)
        enqueue(
            self.session,
            "chat.update",
            payload,
            request_id=request_id,
            action_message=message,
            now=self.now,
        )
        if close:
            close_tracked(self.session, message)

    def drop_pending_updates(self, tracked: object) -> None:
        # Marked obsolete, never deleted: a sender may have claimed one and be sending it.
        supersede_updates(self.session, cast(ActionMessage, tracked).id)

    def waiting(self, method: str, request_id: int) -> list[dict[str, Any]]:
        rows = self.session.exec(
            select(OutboxMessage.payload).where(
                OutboxMessage.method == method,
                OutboxMessage.request_id == request_id,
                col(OutboxMessage.sent_at).is_(None),
                col(OutboxMessage.dead).is_(False),
            )
        ).all()
        return [dict(payload) for payload in rows]

    def refresh_home(self, user: str) -> None:
        refresh_home(self.session, user, now=self.now)

    def drop_held(self, request_id: int) -> None:
        drop_held(self.session, request_id, now=self.now)
        self._open.pop(request_id, None)  # messages never posted are closed by it
