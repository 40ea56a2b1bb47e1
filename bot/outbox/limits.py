"""Limits on sending: Slack's 429 holds per method, and the Home tab's window (one person's
tab published at most once per window)."""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlalchemy import func, or_, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from bot.infra.db import SessionFactory
from bot.outbox.calls import HOME_REFRESH, calls, rows_calling
from models import OutboxMessage

log = logging.getLogger("bot.outbox")

# One person's Home tab is published at most once in this time; changes meanwhile are
# shown by the next refresh (the last change of a burst always is).
HOME_WINDOW = timedelta(seconds=2)
# A transaction that lost to another (a deadlock, a serialization failure, SQLite busy)
# is tried this many times in all.
TRIES = 3

T = TypeVar("T")


class Row(Protocol):
    """What the Home window reads of an outbox row."""

    @property
    def id(self) -> int | None: ...

    @property
    def method(self) -> str: ...

    @property
    def recipient(self) -> str | None: ...


def retried(what: str, work: Callable[[], T], *, tries: int = TRIES) -> T:
    """`work()` (one transaction), again when the database chose it as a deadlock's victim
    or could not serialise it; the last failure is raised."""
    for attempt in range(1, tries + 1):
        try:
            return work()
        except OperationalError as exc:
            if attempt == tries:
                raise
            log.warning("%s lost to another transaction (%s); again", what, exc.orig)
            time.sleep(0.02 * attempt)
    raise AssertionError("unreachable")


class RateHolds:
    """Slack said 429 for a method: until when no row calling it goes out, from this
    process (memory) or any other (the rows' next_attempt_at)."""

    def __init__(self, session_factory: SessionFactory, clock: Callable[[], datetime]) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self._lock = threading.Lock()
        self._holds: dict[str, datetime] = {}  # Slack method -> until when

    def hold(self, method: str, until: datetime) -> None:
        """Hold `method` until `until`. Never raises: when the database cannot take the
        hold, this process still keeps it, and the other instances meet the 429 themselves."""
        with self._lock:
            if self._holds.get(method, until) > until:
                return
            self._holds[method] = until
        log.warning("slack rate-limits %s: holding its messages until %s", method, until)
        try:
            retried(f"the hold of {method}", lambda: self._store(method, until))
        except OperationalError as exc:
            log.error("could not store the hold of %s (%s); held here only", method, exc.orig)

    def _store(self, method: str, until: datetime) -> None:
        now = self.clock()
        table = OutboxMessage.__table__  # type: ignore[attr-defined]
        # Rows locked in id order, those another transaction holds skipped (a sender
        # claiming them meets the 429 itself): the hold never waits in a lock cycle.
        waiting = (
            select(table.c.id)
            .where(
                table.c.method.in_(rows_calling(method)),
                table.c.sent_at.is_(None),
                table.c.dead.is_(False),
                table.c.next_attempt_at < until,
                or_(table.c.claimed_until.is_(None), table.c.claimed_until < now),
            )
            .order_by(table.c.id)
            .with_for_update(skip_locked=True)
        )
        with self.session_factory.begin() as session:
            session.execute(
                update(table).where(table.c.id.in_(waiting)).values(next_attempt_at=until)
            )

    def held_until(self, outbox_method: str, now: datetime) -> datetime | None:
        """Until when a row of this kind must wait, if it must."""
        with self._lock:
            until = [self._holds[m] for m in calls(outbox_method) if self._holds.get(m, now) > now]
        return max(until) if until else None

    def held_methods(self, now: datetime) -> list[str]:
        """The kinds of rows that must wait now."""
        with self._lock:
            held = [m for m, until in self._holds.items() if until > now]
        return sorted({row_method for m in held for row_method in rows_calling(m)})


class HomeWindow:
    """One person's Home tab is published at most once per `window`."""

    def __init__(self, window: timedelta = HOME_WINDOW) -> None:
        self.window = window
        self._lock = threading.Lock()
        # When the rows put back by the window fall due, earliest first (a heap): the loop
        # wakes at each. One time alone would forget a later one once the earlier passed,
        # and that person's tab would wait for the next round (the interval, 5 s).
        self._dues: list[datetime] = []

    def too_soon(self, session: Session, rows: Sequence[Row], now: datetime) -> set[int]:
        """The Home refreshes among `rows` whose person's tab was published less than a
        window ago, or is being published right now (by any instance): they are put back
        until the window has passed, unclaimed, so changes meanwhile join them."""
        homes = {r.recipient: r for r in rows if r.method == HOME_REFRESH and r.recipient}
        if not homes or not self.window:
            return set()
        since = now - self.window
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
            until = max(sent or since, now if in_flight else since) + self.window
            for row in rows:
                if row.method == HOME_REFRESH and row.recipient == user and row.id is not None:
                    later[row.id] = until
        session.execute(
            update(OutboxMessage),
            [{"id": row_id, "next_attempt_at": until} for row_id, until in later.items()],
        )
        with self._lock:
            for until in set(later.values()) - set(self._dues):
                heapq.heappush(self._dues, until)
        return set(later)

    def absorb(self, session: Session, claimed: Sequence[OutboxMessage], now: datetime) -> None:
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

    def next_due(self) -> datetime | None:
        """When the earliest Home refresh put back by the window falls due, if one was."""
        with self._lock:
            return self._dues[0] if self._dues else None

    def wait_at_most(self, interval: float, now: datetime) -> float:
        """`interval`, or less when a Home refresh put back by the window falls due sooner."""
        with self._lock:
            if not self._dues:
                return interval
            if self._dues[0] <= now:  # due by now: one more round at once
                while self._dues and self._dues[0] <= now:
                    heapq.heappop(self._dues)
                return 0.0
            due = self._dues[0]
        return min(interval, (due - now).total_seconds() + 0.01)
