"""The rows an action writes at its commit, kept as plain objects until then (no ORM
objects: a SQLModel table object's constructor and the ORM's flush of it cost more than
the rest of the writing): its outbox rows (`Enqueued`) and the new messages with buttons it
keeps track of (`NewMessage`, an `ActionMessage` row)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


class Enqueued:
    """An outbox row as `enqueue` keeps it until the commit writes it (one INSERT for the
    action's rows, no ORM object: `OutboxMessage`'s constructor cost more than the rest of
    an enqueue); `id` is set once written, for a row others reply to."""

    __slots__ = (
        "action_message_id", "created_at", "id", "last_error", "method", "next_attempt_at",
        "payload", "recipient", "request_id", "thread_of",
    )  # fmt: skip

    def __init__(
        self,
        method: str,
        payload: dict[str, Any],
        request_id: int | None,
        created_at: datetime,
        next_attempt_at: datetime,
        *,
        recipient: str | None = None,
    ) -> None:
        self.method = method
        self.payload = payload
        self.request_id = request_id
        self.created_at = created_at
        self.next_attempt_at = next_attempt_at
        self.last_error: str | None = None
        self.action_message_id: int | None = None
        self.thread_of: int | None = None
        self.recipient = recipient
        self.id: int | None = None

    def values(self) -> dict[str, Any]:
        """The INSERT's parameters: every column but the id (the rest at their defaults)."""
        return {
            "request_id": self.request_id,
            "method": self.method,
            "payload": self.payload,
            "action_message_id": self.action_message_id,
            "created_at": self.created_at,
            "next_attempt_at": self.next_attempt_at,
            "claimed_until": None,
            "attempts": 0,
            "sent_at": None,
            "dead": False,
            "last_error": self.last_error,
            "recipient": self.recipient,
            "result_channel": None,
            "result_ts": None,
            "thread_of": self.thread_of,
        }


class NewMessage:
    """A message with buttons to keep track of (an `ActionMessage` row), as an action posts
    it: the writer inserts the action's new ones with one INSERT at its commit, or when the
    transaction reads its open messages (`bot.outbox.writer.write_tracked`); `id` from
    then on."""

    __slots__ = ("city_key", "closed", "id", "kind", "request_id", "round", "user_id")

    def __init__(
        self, request_id: int, kind: str, user_id: str, *, round: int = 1, city_key: str = ""
    ) -> None:
        self.request_id = request_id
        self.kind = kind
        self.user_id = user_id
        self.round = round
        self.city_key = city_key
        self.closed = False
        self.id: int | None = None

    def values(self) -> dict[str, Any]:
        """The INSERT's parameters: every column but the id (the rest at their defaults)."""
        return {
            "request_id": self.request_id,
            "kind": self.kind,
            "user_id": self.user_id,
            "city_key": self.city_key,
            "round": self.round,
            "channel": None,
            "ts": None,
            "closed": False,
        }
