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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import case, delete, event, func, insert, or_, update
from sqlmodel import Session, col, select

from bot.infra.db import SessionFactory
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
# One person's Home tab is published at most once in this time; changes meanwhile are
# shown by the next refresh (the last change of a burst always is).
HOME_WINDOW = timedelta(seconds=2)
GIVE_UP_WAITING = timedelta(days=2)
MAX_BACKOFF = timedelta(minutes=15)
# Rows claimed at once, and sent WORKERS at a time (one conversation's rows stay in order);
# more at once gains little under Slack's per-workspace rate limits.
BATCH = 50
WORKERS = 4
ROUND = 1000  # rows one round of the background sender claims at most
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

    Nothing is written yet: the action's rows are inserted together, in one INSERT, when
    its transaction commits (`write_pending`); the returned row has its id from then on.
    """
    if action_message is not None and action_message.id is None:
        session.add(action_message)
    row = OutboxMessage(
        request_id=request_id,
        method=method,
        payload=payload,
        created_at=now,
        next_attempt_at=now,
    )
    session.info.setdefault(_PENDING, []).append(_Pending(row, action_message, thread_of))
    for user in _people(method, payload, action_message):
        refresh_home(session, user, now=now)
    return row


def _people(
    method: str, payload: dict[str, Any], action_message: ActionMessage | None
) -> list[str]:
    """Whose Home tab a message changes: the person it goes to (requests concern them)."""
    if method == GROUP_DM:  # tracked or not: everybody in it
        return list(payload.get("users", []))
    if action_message is not None:
        return [action_message.user_id]
    if method == FILE_DM:
        return []
    channel = str(payload.get("channel", ""))
    return [channel] if method == "chat.postMessage" and channel[:1] in ("U", "W") else []


def refresh_home(session: Session, user: str, *, now: datetime) -> None:
    """Mark the person's Home tab as out of date; it is published after the change.

    Only for people who have opened their Home tab (it is rendered fresh when they do).
    The mark is a Home refresh row, written with the action's other rows; the sender
    renders the tab when it publishes it, once for all of a person's marks it claims, and
    at most once per HOME_WINDOW (`Outbox._too_soon`, `Outbox._absorb`).
    """
    session.info.setdefault(_HOMES, {}).setdefault(user, now)


@dataclass
class _Pending:
    row: OutboxMessage
    action_message: ActionMessage | None
    thread_of: OutboxMessage | None


_PENDING = "cr_outbox_pending"
_HOMES = "cr_outbox_homes"
_COLUMNS = [c for c in OutboxMessage.__table__.columns if c.name != "id"]  # type: ignore[attr-defined]


def write_pending(session: Session) -> None:
    """Insert the outbox rows the transaction enqueued: one INSERT for all of them (and one
    before it for a row others reply to, as they need its id).

    Runs before every commit (a session event); a rollback drops them."""
    pending: list[_Pending] = session.info.pop(_PENDING, [])
    homes: dict[str, datetime] = session.info.pop(_HOMES, {})
    if not pending and not homes:
        return
    session.flush()  # the change itself, and the ids of new action messages
    if homes:
        pending += _home_refreshes(session, homes)
    while pending:
        ready = [p for p in pending if p.thread_of is None or p.thread_of.id is not None]
        if not ready:
            raise RuntimeError("an outbox row replies in the thread of a row never enqueued")
        parents = {id(p.thread_of) for p in pending if p.thread_of is not None}
        for parent in [p for p in ready if id(p.row) in parents]:
            _insert(session, [parent], returning=True)
        _insert(session, [p for p in ready if id(p.row) not in parents], returning=False)
        pending = [p for p in pending if p not in ready]


def _insert(session: Session, pending: list[_Pending], *, returning: bool) -> None:
    if not pending:
        return
    params = []
    for p in pending:
        if p.action_message is not None:
            p.row.action_message_id = p.action_message.id
        if p.thread_of is not None:
            p.row.thread_of = p.thread_of.id
        params.append({c.name: getattr(p.row, c.name) for c in _COLUMNS})
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    if returning:  # one row: its id for the rows that refer to it
        [p] = pending
        p.row.id = session.execute(insert(table).returning(table.c.id), params[0]).scalar_one()
    else:  # executemany: one statement (multi-row VALUES where the driver allows)
        session.execute(insert(table), params)


def _home_refreshes(session: Session, homes: dict[str, datetime]) -> list[_Pending]:
    """A Home refresh mark for each of these people who uses the Home tab.

    A mark is an outbox row; the sender renders the tab when it sends it, so one
    publication shows every change committed before its claim, and it treats all of a
    person's marks in a batch as one (the rest wait for the window). Marks are only ever
    inserted (one INSERT with the action's other rows), never updated by an action: no
    action waits for another's lock on the busy people's rows.
    """
    from bot.usecases.people import home_users

    users = home_users(session, homes)
    return [
        _Pending(
            OutboxMessage(
                method=HOME_REFRESH,
                payload={"user": user},
                recipient=user,
                created_at=homes[user],
                next_attempt_at=homes[user],
            ),
            None,
            None,
        )
        for user in sorted(users)
    ]


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    write_pending(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous: Any) -> None:
    if previous.parent is None:  # the whole transaction: what it enqueued is gone with it
        session.info.pop(_PENDING, None)
        session.info.pop(_HOMES, None)


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
        home_window: timedelta = HOME_WINDOW,
    ) -> None:
        self.session_factory = session_factory
        self.client = client
        self.clock = clock
        self.coordinators = coordinators
        self.home = home
        self.home_window = home_window
        self._lock = threading.Lock()
        self._reported = False  # the last outcomes noted wrote reports to the coordinators
        # The earliest time a row put back by the Home window falls due (the loop wakes then).
        self._next_due: datetime | None = None
        # Slack method -> until when Slack asked us not to call it (429 Retry-After).
        self._holds: dict[str, datetime] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- sending ---------------------------------------------------------------

    def deliver_due(self, limit: int = 200, *, workers: int = WORKERS) -> int:
        """Send every due row once (rows added meanwhile too); returns how many were sent.

        Rows are claimed in batches, sent a wave of `workers` at a time, and marked in the
        transaction that claims the next batch (one transaction per batch, so on SQLite one
        turn at the write lock). `workers=1` sends in the order written.
        """
        sent = 0
        seen: set[int] = set()
        outcomes: list[_Outcome] = []
        while len(seen) < limit:
            batch = self._claim_batch(self.clock(), seen, done=outcomes)
            outcomes = []
            if not batch:
                if self._reported:  # reports of refused rows were just written: them too
                    self._reported = False
                    continue
                break
            seen.update(c.row.id for c in batch if c.row.id is not None)
            outcomes = self._send_batch(batch, workers)
            sent += sum(1 for o in outcomes if o.sent)
        self._finish(outcomes)
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

    def _claim_batch(
        self, now: datetime, seen: set[int], *, done: Sequence[_Outcome] = ()
    ) -> list[_Claimed]:
        """Claim up to BATCH due rows and read what sending them needs, in one transaction.

        PostgreSQL: other senders skip the rows this one locked; SQLite: BEGIN IMMEDIATE
        makes the whole transaction the only writer."""
        claimable = or_(
            col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now
        )
        due = [
            col(OutboxMessage.sent_at).is_(None),
            col(OutboxMessage.dead).is_(False),
            col(OutboxMessage.next_attempt_at) <= now,
            claimable,
        ]
        held = self._held_methods(now)
        if held:
            due.append(col(OutboxMessage.method).notin_(held))
        if seen:
            due.append(col(OutboxMessage.id).notin_(seen))
        with self.session_factory.begin() as session:
            self._note(session, done)
            rows = session.exec(
                select(OutboxMessage)
                .where(*due)
                # Messages first; Home refreshes are nice to have and can wait.
                .order_by(
                    case((col(OutboxMessage.method) == HOME_REFRESH, 1), else_=0),
                    col(OutboxMessage.id),
                )
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            ).all()
            if not rows:
                return []
            later = self._too_soon(session, rows, now)
            rows = [r for r in rows if r.id not in later]
            if not rows:
                return []
            ids = [r.id for r in rows]
            claimed = set(
                session.execute(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id).in_(ids), claimable)
                    .values(claimed_until=now + CLAIM, attempts=OutboxMessage.attempts + 1)
                    .returning(col(OutboxMessage.id))
                    .execution_options(synchronize_session=False)
                ).scalars()
            )
            self._absorb(session, [r for r in rows if r.id in claimed], now)
            target_ids = {r.action_message_id for r in rows} - {None}
            targets = (
                {
                    t.id: t
                    for t in session.exec(
                        select(ActionMessage).where(col(ActionMessage.id).in_(target_ids))
                    )
                }
                if target_ids
                else {}
            )
            parent_ids = {r.thread_of for r in rows} - {None}
            parent_rows = (
                session.exec(
                    select(OutboxMessage).where(col(OutboxMessage.id).in_(parent_ids))
                ).all()
                if parent_ids
                else []
            )
            parents = {o.id: (o.result_channel, o.result_ts) for o in parent_rows}
            dead_parents = {o.id for o in parent_rows if o.dead}
            batch = []
            for row in rows:
                if row.id not in claimed:
                    continue
                # A claim is always released; one that ran out means its sender died
                # (or lost the database) mid-send, perhaps after Slack took the message.
                interrupted = row.claimed_until is not None
                row.attempts += 1
                row.claimed_until = now + CLAIM
                target = targets.get(row.action_message_id) if row.action_message_id else None
                parent = parents.get(row.thread_of) if row.thread_of else None
                dead = row.thread_of in dead_parents
                batch.append(_Claimed(row, interrupted, target, parent, dead))
            session.expunge_all()
            return batch

    def _absorb(self, session: Session, claimed: Sequence[OutboxMessage], now: datetime) -> None:
        """The other waiting marks of the people whose Home tab this batch publishes are
        done with it: it is rendered after this commit, so it shows their changes too.
        (Marks locked by another sender are left to it.)"""
        users = sorted({r.recipient for r in claimed if r.method == HOME_REFRESH and r.recipient})
        if not users:
            return
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        waiting = (
            select(table.c.id)
            .where(
                table.c.method == HOME_REFRESH,
                table.c.recipient.in_(users),
                table.c.sent_at.is_(None),
                table.c.dead.is_(False),
                table.c.claimed_until.is_(None),
                table.c.id.notin_([r.id for r in claimed]),
            )
            .with_for_update(skip_locked=True)
        )
        session.execute(
            update(table).where(table.c.id.in_(waiting)).values(sent_at=now, last_error=None)
        )

    def _too_soon(self, session: Session, rows: Sequence[OutboxMessage], now: datetime) -> set[int]:
        """The Home refreshes among `rows` whose person's tab was published less than
        `home_window` ago, or is being published right now (by any instance): they are put
        back until the window has passed, unclaimed, so changes meanwhile join them."""
        homes = {r.recipient: r for r in rows if r.method == HOME_REFRESH and r.recipient}
        if not homes or not self.home_window:
            return set()
        since = now - self.home_window
        recent = session.exec(
            select(
                OutboxMessage.recipient,
                func.max(OutboxMessage.sent_at),
                func.max(OutboxMessage.claimed_until),
            )
            .where(
                col(OutboxMessage.method) == HOME_REFRESH,
                col(OutboxMessage.recipient).in_(sorted(homes)),
                col(OutboxMessage.id).notin_([r.id for r in rows]),
                or_(col(OutboxMessage.sent_at) > since, col(OutboxMessage.claimed_until) > now),
            )
            .group_by(col(OutboxMessage.recipient))
        ).all()
        if not recent:
            return set()
        later: dict[int, datetime] = {}
        for user, sent, claimed in recent:
            # After the last publication, or (one is on its way now) after a window from now.
            in_flight = claimed is not None and claimed > now
            until = max(sent or since, now if in_flight else since) + self.home_window
            for row in rows:
                if row.method == HOME_REFRESH and row.recipient == user and row.id is not None:
                    later[row.id] = until
        session.execute(
            update(OutboxMessage),
            [{"id": row_id, "next_attempt_at": until} for row_id, until in later.items()],
        )
        with self._lock:
            first = min(later.values())
            if self._next_due is None or self._next_due <= now or first < self._next_due:
                self._next_due = first
        return set(later)

    def _send_batch(self, batch: list[_Claimed], workers: int = WORKERS) -> list[_Outcome]:
        """Send a claimed batch: one conversation (and what waits for its messages) in order,
        up to `workers` conversations at once, Home refreshes after every message."""
        lanes: dict[object, list[_Claimed]] = {}
        lane_of: dict[int, object] = {}
        posts_of_target: dict[int, object] = {}
        for claimed in batch:
            row = claimed.row
            lane: object = _lane(row)
            if row.thread_of in lane_of:
                lane = lane_of[row.thread_of]
            elif row.method == "chat.update" and row.action_message_id in posts_of_target:
                lane = posts_of_target[row.action_message_id]
            elif row.method in (POST, GROUP_DM) and row.action_message_id is not None:
                posts_of_target[row.action_message_id] = lane
            lane_of[row.id] = lane  # type: ignore[index]
            lanes.setdefault(lane, []).append(claimed)
        messages = [q for q in lanes.values() if q[0].row.method != HOME_REFRESH]
        outcomes: list[_Outcome] = []
        homes = []
        for q in lanes.values():
            if q[0].row.method == HOME_REFRESH:
                # Two marks of one person (instances that raced): one publication shows all.
                outcomes += [self._done(extra.row, None, {}) for extra in q[1:]]
                homes.append(q[:1])
        posted: dict[int, tuple[str | None, str | None]] = {}
        started = self.clock()
        with ThreadPoolExecutor(workers, thread_name_prefix="outbox-send") as pool:
            for queues in (messages, homes):
                while queues:
                    if self.clock() - started > CLAIM / 2:
                        # Slack is slow: let the rest go back rather than outlive the claims.
                        outcomes += [_released(c.row) for q in queues for c in q]
                        break
                    wave: list[_Claimed] = []
                    for queue in list(queues):
                        if len(wave) == workers:
                            break
                        claimed = queue.pop(0)
                        if not queue:
                            queues.remove(queue)
                        until = self._held_until(claimed.row.method, self.clock())
                        if until is not None:
                            outcomes.append(_released(claimed.row, until))
                            continue
                        _resolve(claimed, posted)
                        wave.append(claimed)
                    results = (
                        [self._send(wave[0])]
                        if len(wave) == 1
                        else list(pool.map(self._send, wave))
                    )
                    for claimed, outcome in zip(wave, results, strict=True):
                        outcomes.append(outcome)
                        if outcome.sent:
                            posted[claimed.row.id] = outcome.result  # type: ignore[index]
        return outcomes

    def _send(self, claimed: _Claimed) -> _Outcome:
        row, target = claimed.row, claimed.target
        # Keys starting with "_" are ours (bookkeeping), not Slack's.
        payload = {k: v for k, v in row.payload.items() if not k.startswith("_")}
        if row.method == "chat.update" and target is not None:
            if not target.ts:
                return self._postpone(row)
            payload.update(channel=target.channel, ts=target.ts)
        linked: tuple[str | None, str | None] | None = None
        if claimed.parent is not None:
            channel, ts = claimed.parent
            if row.payload.get(LINK_PARENT) and claimed.parent_dead:
                # What it links to will never be posted: the message goes without the link.
                payload = _with_link(payload, None)
            elif not ts:
                return self._postpone(row)
            elif row.payload.get(LINK_PARENT):
                linked = claimed.parent
            else:
                payload.update(channel=channel, thread_ts=ts)
        if row.method in (POST, GROUP_DM):
            # Marks the message as ours, so a timed-out post can be found instead of repeated.
            payload["metadata"] = {"event_type": MARKER, "event_payload": {"outbox_id": row.id}}
        timed_out = claimed.interrupted or (row.last_error or "").startswith(TIMEOUT)
        if row.method in (POST, GROUP_DM, FILE_DM) and timed_out:
            found = self._found_after_timeout(row, target, payload)
            if found is None:  # could not look; look again later rather than guess
                return self._retry(row, f"{TIMEOUT}not known whether it was sent", None)
            if found is not False:
                return found
        try:
            if linked is not None:
                link = self.client.chat_getPermalink(
                    channel=str(linked[0]), message_ts=str(linked[1])
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
                if status == 429 and retry_after is not None:
                    self._hold(_called_method(exc, row.method), self.clock() + retry_after)
                return self._retry(row, f"{status} {error}", retry_after)
            return self._dead(row, error or f"HTTP {status}")
        except Exception as exc:  # network errors and timeouts: try again later
            prefix = TIMEOUT if _is_timeout(exc) else ""
            return self._retry(row, f"{prefix}{type(exc).__name__}: {exc}"[:500], None)
        return self._done(row, target, response.data if isinstance(response.data, dict) else {})

    def _found_after_timeout(
        self, row: OutboxMessage, target: ActionMessage | None, payload: dict[str, Any]
    ) -> _Outcome | Literal[False] | None:
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
                return self._done(row, target, {"channel": channel, "ts": message.get("ts")})
        return False

    def _postpone(self, row: OutboxMessage) -> _Outcome:
        # The message to update (or to reply to) is not posted yet; it is ahead in the queue.
        if self.clock() - row.created_at > GIVE_UP_WAITING:
            return self._dead(row, "the message it refers to was never posted")
        return self._retry(
            row, "waiting for its message to be posted", timedelta(seconds=2), count=False
        )

    def _done(self, row: OutboxMessage, target: ActionMessage | None, data: dict) -> _Outcome:
        result = (data.get("channel"), data.get("ts"))
        values = {
            "sent_at": self.clock(),
            "claimed_until": None,
            "last_error": None,
            "result_channel": result[0],
            "result_ts": result[1],
        }
        posted = row.method in (POST, GROUP_DM)  # a group DM's introduction is tracked too
        posted_to = target.id if target is not None and posted else None
        if posted_to is not None and target is not None:
            # A chat.update later in this batch finds its message here.
            target.channel, target.ts = result
        return _Outcome(row, values, sent=True, result=result, target_id=posted_to)

    def _retry(
        self, row: OutboxMessage, error: str, delay: timedelta | None, *, count: bool = True
    ) -> _Outcome:
        attempts = row.attempts + (1 if count else 0)
        wait = delay if delay is not None else backoff(attempts)
        log.warning(
            "slack %s for request %s failed (%s); retry in %ss",
            row.method,
            row.request_id,
            error,
            int(wait.total_seconds()),
        )
        values: dict[str, Any] = {
            "claimed_until": None,
            "next_attempt_at": self.clock() + wait,
            "last_error": error[:500],
        }
        if not count:
            values["attempts"] = row.attempts - 1
        return _Outcome(row, values)

    def _dead(self, row: OutboxMessage, error: str) -> _Outcome:
        log.error(
            "slack %s for request %s refused permanently: %s", row.method, row.request_id, error
        )
        values = {"dead": True, "claimed_until": None, "last_error": error[:500]}
        return _Outcome(row, values, dead_error=error)

    def _finish(self, outcomes: Sequence[_Outcome]) -> None:
        """Note every row's outcome in one transaction."""
        if not outcomes:
            return
        with self.session_factory.begin() as session:
            self._note(session, outcomes)

    def _note(self, session: Session, outcomes: Sequence[_Outcome]) -> None:
        """Note every row's outcome (in the caller's transaction)."""
        if not outcomes:
            return
        now = self.clock()
        by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for o in outcomes:
            by_columns.setdefault(tuple(sorted(o.values)), []).append({"id": o.row.id, **o.values})
        posted = [
            {"id": o.target_id, "channel": o.result[0], "ts": o.result[1]}
            for o in outcomes
            if o.target_id is not None
        ]
        # Action messages before outbox rows: the order in which actions lock them too.
        if posted:
            session.execute(update(ActionMessage), posted)
        for rows in by_columns.values():
            session.execute(update(OutboxMessage), rows)
        for o in outcomes:
            if o.dead_error is not None and o.row.method in (POST, GROUP_DM):
                _never_posted(session, o.row.action_message_id)
            # A Home tab is published again on the next change or visit: nobody need act.
            if o.dead_error is None or o.row.payload.get("_report"):
                continue
            if o.row.method == HOME_REFRESH:
                continue
            from bot.slack import messages

            self._reported = True  # the reports go out in the next round
            for user in self.coordinators():
                enqueue(
                    session,
                    "chat.postMessage",
                    {
                        **messages.delivery_failed(o.row.request_id, o.row.method, o.dead_error),
                        "channel": user,
                        "_report": True,
                    },
                    request_id=o.row.request_id,
                    now=now,
                )

    # --- rate limits -------------------------------------------------------------

    def _hold(self, method: str, until: datetime) -> None:
        """Slack said 429 for `method`: no row calling it goes out before `until`, from this
        process (memory) or any other (the rows' next_attempt_at)."""
        with self._lock:
            if self._holds.get(method, until) > until:
                return
            self._holds[method] = until
        log.warning("slack rate-limits %s: holding its messages until %s", method, until)
        now = self.clock()
        with self.session_factory.begin() as session:
            session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.method).in_(_rows_calling(method)),
                    col(OutboxMessage.sent_at).is_(None),
                    col(OutboxMessage.dead).is_(False),
                    col(OutboxMessage.next_attempt_at) < until,
                    or_(
                        col(OutboxMessage.claimed_until).is_(None),
                        col(OutboxMessage.claimed_until) < now,
                    ),
                )
                .values(next_attempt_at=until)
                .execution_options(synchronize_session=False)
            )

    def _held_until(self, outbox_method: str, now: datetime) -> datetime | None:
        with self._lock:
            until = [self._holds[m] for m in _calls(outbox_method) if self._holds.get(m, now) > now]
        return max(until) if until else None

    def _held_methods(self, now: datetime) -> list[str]:
        with self._lock:
            held = [m for m, until in self._holds.items() if until > now]
        return sorted({row_method for m in held for row_method in _rows_calling(m)})

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
                    while self.deliver_due(ROUND) >= ROUND:
                        pass  # stopped at the limit, not for want of rows
                except Exception:
                    log.exception("outbox delivery failed; will try again")
                self._wake.wait(self._wait_at_most(interval))
                self._wake.clear()

        self._thread = threading.Thread(target=loop, name="outbox", daemon=True)
        self._thread.start()

    def _wait_at_most(self, interval: float) -> float:
        """`interval`, or less when a Home refresh put back by its window falls due sooner."""
        now = self.clock()
        with self._lock:
            due = self._next_due
            if due is None:
                return interval
            if due <= now:  # due by now: one more round at once
                self._next_due = None
                return 0.0
        return min(interval, (due - now).total_seconds() + 0.01)

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


def _never_posted(session: Session, action_message_id: int | None) -> None:
    """A message with buttons that died unposted: there is nothing to update, now or later."""
    if action_message_id is None:
        return
    session.execute(
        update(ActionMessage).where(col(ActionMessage.id) == action_message_id).values(closed=True)
    )
    session.execute(
        delete(OutboxMessage).where(
            col(OutboxMessage.action_message_id) == action_message_id,
            col(OutboxMessage.method) == "chat.update",
            col(OutboxMessage.sent_at).is_(None),
        )
    )


# The Slack methods each kind of row calls (others call the method they are named after).
_SLACK_CALLS: dict[str, tuple[str, ...]] = {
    GROUP_DM: ("conversations.open", "chat.postMessage"),
    FILE_DM: ("conversations.open", "files.getUploadURLExternal", "files.completeUploadExternal"),
    HOME_REFRESH: ("views.publish",),
}


def _calls(outbox_method: str) -> tuple[str, ...]:
    return _SLACK_CALLS.get(outbox_method, (outbox_method,))


def _rows_calling(slack_method: str) -> list[str]:
    return sorted(
        {m for m, calls in _SLACK_CALLS.items() if slack_method in calls} | {slack_method}
    )


def _called_method(exc: SlackApiError, fallback: str) -> str:
    url = getattr(exc.response, "api_url", "") or ""
    return url.rstrip("/").rsplit("/", 1)[-1] or fallback


@dataclass
class _Claimed:
    row: OutboxMessage
    interrupted: bool
    target: ActionMessage | None
    parent: tuple[str | None, str | None] | None
    parent_dead: bool = False  # what it replies to (or links to) was refused for good


@dataclass
class _Outcome:
    """What to note on a row after sending it (or not)."""

    row: OutboxMessage
    values: dict[str, Any]
    sent: bool = False
    result: tuple[str | None, str | None] = (None, None)
    target_id: int | None = None
    dead_error: str | None = None


def _released(row: OutboxMessage, until: datetime | None = None) -> _Outcome:
    """Back to the queue unsent, as if never claimed (its method is held, or time ran out)."""
    values: dict[str, Any] = {"claimed_until": None, "attempts": row.attempts - 1}
    if until is not None:
        values["next_attempt_at"] = until
    return _Outcome(row, values)


def _lane(row: OutboxMessage) -> object:
    """Rows in one lane are sent in order: one conversation's messages, one message's updates."""
    payload = row.payload
    if row.method == GROUP_DM:
        return ("users", tuple(sorted(payload.get("users", []))))
    if row.method == FILE_DM:
        return ("channel", payload.get("user"))
    if row.method == HOME_REFRESH:
        return ("home", payload.get("user"))
    if row.method == "chat.update" and row.action_message_id is not None:
        return ("message", row.action_message_id)
    return ("channel", payload.get("channel") or f"row {row.id}")


def _resolve(claimed: _Claimed, posted: dict[int, tuple[str | None, str | None]]) -> None:
    """A reply whose parent went out earlier in this batch replies to it."""
    parent = claimed.row.thread_of
    if parent is not None and parent in posted:
        claimed.parent = posted[parent]


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
