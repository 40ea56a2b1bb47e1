"""The outbox: Slack calls that must happen because of a committed change.

Use cases add rows in the same transaction as the change (`enqueue`). After the
commit, `deliver_due` claims due rows with a conditional update (so several
threads or instances never send the same row), calls Slack, and marks them
sent. Transient failures (5xx, 429, timeouts, network) are retried with
backoff; permanent ones (`channel_not_found`, …) are marked dead, logged with
the request id and reported to the coordinators.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import case, delete, func, or_, update
from sqlmodel import Session, col, select

from bot.db import SessionFactory
from bot.slack.messages import PERMALINK
from models import ActionMessage, OutboxMessage

log = logging.getLogger(__name__)

# Not a Slack method: conversations.open for several users, then chat.postMessage there.
GROUP_DM = "group_dm"
POST = "chat.postMessage"
MARKER = "cr_bot_outbox"
TIMEOUT = "timeout: "
# Not a Slack method: conversations.open with one user, then files.uploadV2 into that DM.
FILE_DM = "file_dm"
# Not a Slack method: render the person's Home tab at send time and views.publish it.
HOME_REFRESH = "home_refresh"
# A payload flag: the row's `thread_of` message is not its thread but the message it links
# to; once that is posted, its permalink replaces PERMALINK in the text and blocks.
LINK_PARENT = "_link_parent"
CLAIM = timedelta(seconds=60)
GIVE_UP_WAITING = timedelta(days=2)
MAX_BACKOFF = timedelta(minutes=15)
# Errors that mean "try again later"; every other `ok: false` is permanent.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def enqueue(
    session: Session,
    method: str,
    payload: dict[str, Any],
    *,
    request_id: int | None = None,
    action_message: ActionMessage | None = None,
    thread_of: OutboxMessage | None = None,
    now: datetime,
) -> OutboxMessage:
    """Add a Slack call to the outbox, inside the caller's transaction.

    With `action_message` on chat.postMessage, the posted channel/ts are saved on it;
    on chat.update, its channel/ts are filled in at send time.
    """
    if action_message is not None and action_message.id is None:
        session.add(action_message)
        session.flush()
    if thread_of is not None and thread_of.id is None:
        session.flush()
    row = OutboxMessage(
        request_id=request_id,
        method=method,
        payload=payload,
        action_message_id=action_message.id if action_message else None,
        thread_of=thread_of.id if thread_of else None,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    for user in _people(method, payload, action_message):
        refresh_home(session, user, now=now)
    return row


def _people(
    method: str, payload: dict[str, Any], action_message: ActionMessage | None
) -> list[str]:
    """Whose Home tab a message changes: the person it goes to (requests concern them)."""
    if action_message is not None:
        return [action_message.user_id]
    if method == GROUP_DM:
        return list(payload.get("users", []))
    if method == FILE_DM:
        return []
    channel = str(payload.get("channel", ""))
    return [channel] if method == "chat.postMessage" and channel[:1] in ("U", "W") else []


def refresh_home(session: Session, user: str, *, now: datetime) -> None:
    """Publish the person's Home tab after the change, unless a refresh already waits.

    The tab is rendered when the refresh is sent, so a waiting (not yet claimed) refresh
    will show this change too.
    """
    queued: set[str] = session.info.setdefault("home_refresh", set())
    if user in queued:
        return
    queued.add(user)
    waiting = session.exec(
        select(OutboxMessage.id).where(
            OutboxMessage.method == HOME_REFRESH,
            OutboxMessage.recipient == user,
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.dead).is_(False),
            col(OutboxMessage.claimed_until).is_(None),
        )
    ).first()
    if waiting is not None:
        return
    session.add(
        OutboxMessage(
            method=HOME_REFRESH,
            payload={"user": user},
            recipient=user,
            created_at=now,
            next_attempt_at=now,
        )
    )


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s … capped at 15 minutes."""
    return min(timedelta(seconds=2 ** min(attempts, 12)), MAX_BACKOFF)


class Outbox:
    """Sends what the outbox holds."""

    def __init__(
        self,
        session_factory: SessionFactory,
        client: WebClient,
        *,
        clock: Callable[[], datetime],
        coordinators: Callable[[], Sequence[str]] = tuple,
        home: Callable[[str], dict[str, Any]] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.client = client
        self.clock = clock
        self.coordinators = coordinators
        self.home = home
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- sending ---------------------------------------------------------------

    def deliver_due(self, limit: int = 200) -> int:
        """Send every due row once (rows added meanwhile too); returns how many were sent."""
        sent = 0
        seen: set[int] = set()
        while len(seen) < limit:
            now = self.clock()
            with self.session_factory() as session:
                due = session.exec(
                    select(OutboxMessage.id, OutboxMessage.claimed_until)
                    .where(
                        col(OutboxMessage.sent_at).is_(None),
                        col(OutboxMessage.dead).is_(False),
                        col(OutboxMessage.next_attempt_at) <= now,
                        or_(
                            col(OutboxMessage.claimed_until).is_(None),
                            col(OutboxMessage.claimed_until) < now,
                        ),
                    )
                    # Messages first; Home refreshes are nice to have and can wait.
                    .order_by(
                        case((col(OutboxMessage.method) == HOME_REFRESH, 1), else_=0),
                        col(OutboxMessage.id),
                    )
                    .limit(50)
                ).all()
            fresh = [(i, claim) for i, claim in due if i is not None and i not in seen]
            if not fresh:
                break
            for row_id, claim in fresh:
                seen.add(row_id)
                if self._claim(row_id, now):
                    # A claim is always released; one that ran out means its sender died
                    # (or lost the database) mid-send, perhaps after Slack took the message.
                    sent += self._send(row_id, interrupted=claim is not None)
        return sent

    def pending(self) -> int:
        """How many messages still wait to be sent."""
        with self.session_factory() as session:
            return int(
                session.exec(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.dead).is_(False))
                ).one()
            )

    def _claim(self, row_id: int, now: datetime) -> bool:
        with self.session_factory.begin() as session:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == row_id,
                    col(OutboxMessage.sent_at).is_(None),
                    col(OutboxMessage.dead).is_(False),
                    or_(
                        col(OutboxMessage.claimed_until).is_(None),
                        col(OutboxMessage.claimed_until) < now,
                    ),
                )
                .values(claimed_until=now + CLAIM, attempts=OutboxMessage.attempts + 1)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    def _send(self, row_id: int, *, interrupted: bool = False) -> int:
        with self.session_factory() as session:
            row = session.get(OutboxMessage, row_id)
            assert row is not None
            # Keys starting with "_" are ours (bookkeeping), not Slack's.
            payload = {k: v for k, v in row.payload.items() if not k.startswith("_")}
            target = (
                session.get(ActionMessage, row.action_message_id) if row.action_message_id else None
            )
            parent = session.get(OutboxMessage, row.thread_of) if row.thread_of else None
        if row.method == "chat.update" and target is not None:
            if not target.ts:
                return self._postpone(row)
            payload.update(channel=target.channel, ts=target.ts)
        linked: OutboxMessage | None = None
        if parent is not None:
            if row.payload.get(LINK_PARENT) and parent.dead:
                # What it links to will never be posted: the message goes without the link.
                payload = _with_link(payload, None)
            elif not parent.result_ts:
                return self._postpone(row)
            elif row.payload.get(LINK_PARENT):
                linked = parent
            else:
                payload.update(channel=parent.result_channel, thread_ts=parent.result_ts)
        if row.method in (POST, GROUP_DM):
            # Marks the message as ours, so a timed-out post can be found instead of repeated.
            payload["metadata"] = {"event_type": MARKER, "event_payload": {"outbox_id": row.id}}
        timed_out = interrupted or (row.last_error or "").startswith(TIMEOUT)
        if row.method in (POST, GROUP_DM, FILE_DM) and timed_out:
            found = self._found_after_timeout(row, target, payload)
            if found is None:  # could not look; look again later rather than guess
                self._retry(row, f"{TIMEOUT}not known whether it was sent", None)
                return 0
            if found:
                return 1
        try:
            if linked is not None:
                link = self.client.chat_getPermalink(
                    channel=str(linked.result_channel), message_ts=str(linked.result_ts)
                )["permalink"]
                payload = _with_link(payload, str(link))
            if row.method == HOME_REFRESH:
                if self.home is None:  # a process without a Home renderer leaves it for the bot
                    return self._postpone(row)
                user = payload["user"]
                response = self.client.views_publish(user_id=user, view=self.home(user))
            elif row.method == FILE_DM:
                opened = self.client.conversations_open(users=payload.pop("user"))
                response = self.client.files_upload_v2(channel=opened["channel"]["id"], **payload)
            elif row.method == GROUP_DM:
                users = payload.pop("users")
                opened = self.client.conversations_open(users=",".join(users))
                payload["channel"] = opened["channel"]["id"]
                response = self.client.chat_postMessage(**payload)
            else:
                response = self.client.api_call(row.method, json=payload)
        except SlackApiError as exc:
            error, status = _slack_error(exc)
            if _is_transient(exc):
                retry_after = _retry_after(exc)
                self._retry(row, f"{status} {error}", retry_after)
            else:
                self._dead(row, error or f"HTTP {status}")
            return 0
        except Exception as exc:  # network errors and timeouts: try again later
            prefix = TIMEOUT if _is_timeout(exc) else ""
            self._retry(row, f"{prefix}{type(exc).__name__}: {exc}"[:500], None)
            return 0
        self._done(row, target, response.data if isinstance(response.data, dict) else {})
        return 1

    def _found_after_timeout(
        self, row: OutboxMessage, target: ActionMessage | None, payload: dict[str, Any]
    ) -> bool | None:
        """After a timeout (or a send cut short) Slack may have posted the message (or shared
        the file) anyway: look for it in the conversation before sending again (Slack has no
        idempotency key).

        None: the look failed for a passing reason (5xx, 429, network); look again later.
        """
        try:
            if row.method == GROUP_DM:
                opened = self.client.conversations_open(users=",".join(payload["users"]))
                channel = opened["channel"]["id"]
            else:
                channel = str(payload["user"] if row.method == FILE_DM else payload["channel"])
                if channel[:1] in ("U", "W"):
                    channel = self.client.conversations_open(users=channel)["channel"]["id"]
            history = self.client.conversations_history(
                channel=channel, limit=50, include_all_metadata=True
            )
        except Exception as exc:
            if _is_transient(exc):
                log.info("could not check whether outbox %s was sent (%s); later", row.id, exc)
                return None
            log.info("cannot check whether outbox %s was sent (%s); sending", row.id, exc)
            return False
        for message in history.get("messages") or []:
            if _is_ours(row, payload, message):
                log.info("outbox %s was sent despite the timeout; not sending again", row.id)
                self._done(row, target, {"channel": channel, "ts": message.get("ts")})
                return True
        return False

    def _postpone(self, row: OutboxMessage) -> int:
        # The message to update (or to reply to) is not posted yet; it is ahead in the queue.
        if self.clock() - row.created_at > GIVE_UP_WAITING:
            self._dead(row, "the message it refers to was never posted")
        else:
            self._retry(
                row, "waiting for its message to be posted", timedelta(seconds=2), count=False
            )
        return 0

    def _done(self, row: OutboxMessage, target: ActionMessage | None, data: dict) -> None:
        now = self.clock()
        with self.session_factory.begin() as session:
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row.id)
                .values(
                    sent_at=now,
                    claimed_until=None,
                    last_error=None,
                    result_channel=data.get("channel"),
                    result_ts=data.get("ts"),
                )
            )
            if target is not None and row.method == "chat.postMessage":
                session.execute(
                    update(ActionMessage)
                    .where(col(ActionMessage.id) == target.id)
                    .values(channel=data.get("channel"), ts=data.get("ts"))
                )

    def _retry(
        self, row: OutboxMessage, error: str, delay: timedelta | None, *, count: bool = True
    ) -> None:
        now = self.clock()
        attempts = row.attempts + (1 if count else 0)
        wait = delay if delay is not None else backoff(attempts)
        log.warning(
            "slack %s for request %s failed (%s); retry in %ss",
            row.method,
            row.request_id,
            error,
            int(wait.total_seconds()),
        )
        with self.session_factory.begin() as session:
            values: dict[str, Any] = {
                "claimed_until": None,
                "next_attempt_at": now + wait,
                "last_error": error[:500],
            }
            if not count:
                values["attempts"] = OutboxMessage.attempts - 1
            session.execute(
                update(OutboxMessage).where(col(OutboxMessage.id) == row.id).values(**values)
            )

    def _dead(self, row: OutboxMessage, error: str) -> None:
        log.error(
            "slack %s for request %s refused permanently: %s", row.method, row.request_id, error
        )
        now = self.clock()
        with self.session_factory.begin() as session:
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row.id)
                .values(dead=True, claimed_until=None, last_error=error[:500])
            )
            if row.method == POST and row.action_message_id is not None:
                # The message was never posted: there is nothing to update, now or later.
                session.execute(
                    update(ActionMessage)
                    .where(col(ActionMessage.id) == row.action_message_id)
                    .values(closed=True)
                )
                session.execute(
                    delete(OutboxMessage).where(
                        col(OutboxMessage.action_message_id) == row.action_message_id,
                        col(OutboxMessage.method) == "chat.update",
                        col(OutboxMessage.sent_at).is_(None),
                    )
                )
            # A Home tab is published again on the next change or visit: nobody need act.
            if not row.payload.get("_report") and row.method != HOME_REFRESH:
                from bot.slack import messages

                for user in self.coordinators():
                    enqueue(
                        session,
                        "chat.postMessage",
                        {
                            **messages.delivery_failed(row.request_id, row.method, error),
                            "channel": user,
                            "_report": True,
                        },
                        request_id=row.request_id,
                        now=now,
                    )

    # --- background retries ----------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def kick(self) -> None:
        self._wake.set()

    def start(self, interval: float = 5.0) -> None:
        """Retry in a daemon thread: every `interval` seconds, or at once when kicked."""

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    while self.deliver_due():
                        pass
                except Exception:
                    log.exception("outbox delivery failed; will try again")
                self._wake.wait(interval)
                self._wake.clear()

        self._thread = threading.Thread(target=loop, name="outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)


def _with_link(payload: dict[str, Any], link: str | None) -> dict[str, Any]:
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


def _retry_after(exc: SlackApiError) -> timedelta | None:
    headers = exc.response.headers if exc.response else {}
    value = None
    for key, v in (headers or {}).items():
        if key.lower() == "retry-after":
            value = v[0] if isinstance(v, list) else v
    try:
        return timedelta(seconds=int(value)) if value is not None else None
    except ValueError:
        return None


def _slack_error(exc: SlackApiError) -> tuple[str, int]:
    error = str(exc.response.get("error", "")) if exc.response else ""
    return error, exc.response.status_code if exc.response else 0


def _is_transient(exc: BaseException) -> bool:
    """5xx, 429, a transient `ok: false`, or no answer at all (network, timeout)."""
    if isinstance(exc, SlackApiError):
        error, status = _slack_error(exc)
        return status == 429 or status >= 500 or error in TRANSIENT_ERRORS
    return True


def _is_ours(row: OutboxMessage, payload: dict[str, Any], message: dict[str, Any]) -> bool:
    if row.method == FILE_DM:
        # A shared file carries no metadata; its name is unique per request in this DM.
        return any(f.get("name") == payload["filename"] for f in message.get("files") or [])
    marker = (message.get("metadata") or {}).get("event_payload") or {}
    return marker.get("outbox_id") == row.id


def _is_timeout(exc: BaseException) -> bool:
    """A timeout leaves it open whether Slack acted; a refused connection does not."""
    if isinstance(exc, TimeoutError):
        return True
    reason = getattr(exc, "reason", None)
    return isinstance(reason, TimeoutError)
