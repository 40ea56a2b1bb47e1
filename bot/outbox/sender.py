"""The sender: claims due rows, calls Slack, notes the outcomes; in a thread of its own or
when kicked."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import func
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select

from bot.infra.db import SessionFactory
from bot.infra.memory import BurstEnds
from bot.outbox import claim, files
from bot.outbox import own as own_rows
from bot.outbox.attempt import Attempts
from bot.outbox.calls import HOME_REFRESH
from bot.outbox.claim import CLAIM
from bot.outbox.lanes import Lanes, holds_back
from bot.outbox.limits import HOME_WINDOW, HomeWindow, RateHolds, retried
from bot.outbox.notes import Claimed, Outcome, Report, note, released
from bot.outbox.writer import MESSAGES, Written, keep_written, take_written
from models import OutboxMessage

log = logging.getLogger("bot.outbox")

# Rows claimed at once, and sent WORKERS at a time (one conversation's rows stay in order);
# more at once gains little under Slack's per-workspace rate limits.
BATCH = 50
WORKERS = 4
# Rows claimed at once while the claims before came back full (a backlog): fewer claims
# (on PostgreSQL each takes the one turn all instances share) for as many rows.
BACKLOG = 200
# A round under way claims rows committed meanwhile (its sender was kicked) no sooner than
# this after its last claim: in a burst, one claim for a few actions' rows, not one each.
SPACING = 0.02
ROUND = 1000  # rows one round of the background sender claims at most
# An action's rows were left behind others' (a burst to the same people): the actions
# after it leave theirs to the background sender's batches for this long.
CONTENDED = timedelta(seconds=1)


def _no_report(request_id: int | None, method: str, error: str) -> list[dict[str, Any]]:
    return []


class Outbox:
    """Sends what the outbox holds."""

    def __init__(
        self,
        session_factory: SessionFactory,
        client: WebClient,
        *,
        clock: Callable[[], datetime],
        report: Report = _no_report,
        home: Callable[[str], dict[str, Any]] | None = None,
        makers: Mapping[str, files.Maker] | None = None,
        home_window: timedelta = HOME_WINDOW,
        own_sending: bool = False,
    ) -> None:
        """`own_sending`: an action's thread may send its own rows (`send_written`); not
        switched on in the app yet."""
        self.session_factory = session_factory
        self.client = client
        self.clock = clock
        self.report = report
        self.home = home
        self.makers = makers or {}  # kind -> what makes a FILE_DM row's file when it is sent
        self.holds = RateHolds(session_factory, clock)
        self.attempts = Attempts(
            session_factory, client, clock=clock, holds=self.holds, home=home, makers=self.makers
        )
        self.window = HomeWindow(home_window)
        self._reported = False  # the last outcomes noted wrote reports to the coordinators
        self._wakes_at: datetime | None = None  # when the background sender looks next
        # Held by whoever sends in this process: the background sender for a round, an
        # action's thread for its rows (which never waits for it: it leaves them).
        self._sending = threading.Lock()
        self._contended_until: datetime | None = None  # actions leave their rows till then
        # Since when no unsent message lacks its conversation; when one last did.
        self._keyed_since: datetime | None = None
        self._unkeyed_seen: datetime | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pools_lock = threading.Lock()
        self._round: Lanes | None = None  # the round under way with workers
        self._pool: ThreadPoolExecutor | None = None
        self._pool_size = 0
        if own_sending:
            keep_written(session_factory)

    # --- sending ---------------------------------------------------------------

    def deliver_due(self, limit: int = 200, *, workers: int = WORKERS) -> int:
        """Send every due row once (rows added meanwhile too); returns how many were sent.

        Rows are claimed in batches and noted in the transaction that claims a later batch
        (on SQLite one turn at the write lock per batch). With `workers` > 1 they are sent
        in lanes (`bot.outbox.lanes`: a conversation's rows in order, `workers` lanes at
        once), and the next batch is claimed while they are sent, as soon as no more than
        a batch waits: a lane goes on with the next batch's rows without waiting for the
        rest of its batch. `workers=1` sends in the order written, claiming after each batch.
        """
        take_written(self.session_factory)  # this thread's own rows are among the due ones
        if workers > 1:
            return self._stream(limit, workers)
        sent = claimed = 0
        skip: set[int] = set()  # tried in this call and not sent: not again in this call
        unnoted: list[Outcome] = []  # sent, to be noted with the next claim
        posted = claim.Posted()  # where this call's messages went (for later batches)
        batch = self._claim_noting(skip, set(), unnoted)
        while batch:
            claimed += len(batch)
            outcomes = self._send_batch(batch, posted)
            sent += sum(1 for o in outcomes if o.sent)
            skip.update(o.row.id for o in outcomes if not o.sent and o.row.id is not None)
            unnoted = outcomes
            if claimed >= limit:
                break
            batch = self._claim_noting(skip, set(), unnoted)
            unnoted = []
            if not batch and self._reported:
                # Reports of refused rows were just written: them too.
                self._reported = False
                batch = self._claim_noting(skip, set(), [])
        self._reported = self._finish(unnoted) or self._reported
        return sent

    def _stream(self, limit: int, workers: int) -> int:
        """`deliver_due` with workers: batches claimed while the lanes send."""
        posted = claim.Posted()
        lanes = Lanes(
            functools.partial(self._send_one, posted),
            lambda c: self.attempts.done(c.row, None, {}),
            self._senders(workers),
            workers,
        )
        lanes.low = BACKLOG // 2
        skip: set[int] = set()
        sent = claimed = 0
        more = True  # the last claim filled its batch: more may be due
        last = 0.0  # when the last claim was made (monotonic)
        self._round = lanes
        try:
            while True:
                with lanes.cond:
                    while lanes.busy:
                        if claimed < limit and lanes.waiting <= lanes.low:
                            if more:
                                break
                            # Kicked (rows were committed): claim, a moment after the last.
                            if self._wake.is_set():
                                pause = last + SPACING - time.monotonic()
                                if pause <= 0:
                                    break
                                lanes.cond.wait(pause)
                                continue
                        lanes.cond.wait()
                    done, ours = lanes.take_done()
                    idle = not lanes.busy  # (with the outcomes taken: none comes later)
                sent += sum(1 for o in done if o.sent)
                skip.update(o.row.id for o in done if not o.sent and o.row.id is not None)
                if idle and claimed >= limit:
                    self._reported = self._finish(done) or self._reported
                    return sent
                if idle and claimed and not more and not self._wake.is_set():
                    # The last claim took every row due then, and no commit here since woke
                    # the sender: a claim would find nothing new, so the outcomes are only
                    # noted. (Another instance's rows, or rows due later, the next round
                    # finds: kicked, at the end of the Home window, or after the interval.)
                    self._claim_noting(skip, ours, done, 0)  # (size 0: the notes alone)
                    if not self._reported:
                        return sent
                    self._reported, done, more = False, [], True  # reports written: them too
                self._wake.clear()  # a kick from now on is for rows this claim may miss
                now, last = self.clock(), time.monotonic()
                size = BACKLOG if more and claimed else BATCH
                batch = self._claim_noting(skip, ours, done, size)
                if batch:
                    more = len(batch) >= size
                    claimed += len(batch)
                    lanes.add(batch, now)
                    continue
                more = False
                if idle:
                    if not self._reported:
                        return sent
                    # Reports of refused rows were just written: them too.
                    self._reported = False
                    more = True
        except BaseException:
            with lanes.cond:  # what is on its way is noted before the failure goes up
                lanes.cond.wait_for(lambda: not lanes.busy)
                done, _ = lanes.take_done()
            self._reported = self._finish(done) or self._reported
            raise
        finally:
            self._round = None

    def _send_one(self, posted: claim.Posted, claimed: Claimed, claimed_at: datetime) -> Outcome:
        """One row of a lane (or its release: its method is held, or its claim ran long)."""
        if self.clock() - claimed_at > CLAIM / 2:
            # Slack is slow: let the row go back rather than outlive its claim.
            return released(claimed.row)
        until = self.holds.held_until(claimed.row.method, self.clock())
        if until is not None:
            return released(claimed.row, until)
        posted.resolve(claimed)
        outcome = self.attempts.send(claimed)
        if outcome.sent:
            posted.add(outcome)
        return outcome

    def _claim_noting(
        self, skip: set[int], ours: set[int], done: list[Outcome], size: int = BATCH
    ) -> list[Claimed]:
        """The next batch, claimed in the transaction that notes `done`; when the claim
        fails, `done` is still noted (what was sent stays noted, whatever the claim met)."""
        try:
            return retried("a claim", functools.partial(self._claim, skip, ours, done, size))
        except Exception:
            self._reported = self._finish(done) or self._reported
            raise

    def _senders(self, workers: int) -> ThreadPoolExecutor:
        """The threads that send conversations, kept for the next batch."""
        with self._pools_lock:
            if self._pool is None or self._pool_size != workers:
                if self._pool is not None:
                    self._pool.shutdown(wait=False)
                self._pool = ThreadPoolExecutor(workers, thread_name_prefix="outbox-send")
                self._pool_size = workers
            return self._pool

    def send_written(self) -> None:
        """Send the rows this thread's transactions just wrote and committed (an action's
        own messages), here, after the commit, without a claim round of the background
        sender. Never raises.

        Only when nothing else is sending in this process (the background sender between
        rounds, no other action's thread sending) and no row was left in the last second;
        else the rows are left to the background sender, which is woken: a burst goes out
        in its batches, which cost less per row than a claim per action. The rows are
        claimed by their ids with one conditional UPDATE (`bot.outbox.own`): a row another
        sender or instance claimed first is left to it, and a message with an older unsent
        one in its conversation waits for it. A crash after the claim leaves the rows to
        the background sender once the claim runs out.
        """
        written = sorted(take_written(self.session_factory), key=lambda r: r.id)
        if not written or self._stop.is_set():
            return  # (stopping: the rows are another instance's, or the next start's)
        now = self.clock()
        if (self._contended_until or now) > now or not self._keyed(now):
            self.kick()
            return
        if not self._sending.acquire(blocking=False):
            self.kick()  # the background sender (or another action) is sending: a burst
            return
        try:
            batch, left = retried(
                "the claim of an action's rows",
                lambda: self._claim_own(written),
            )
            if batch:
                outcomes = self._send_batch(batch)
                left = self._finish(outcomes) or left or not all(o.sent for o in outcomes)
        except Exception:
            log.exception("outbox: an action's rows could not be sent; the sender will")
            left = True
        finally:
            self._sending.release()
        if left:  # others are sending to the same people: leave the next ones to batches
            self._contended_until = self.clock() + CONTENDED
        due = self.window.next_due()
        if left or (due is not None and (self._wakes_at is None or due < self._wakes_at)):
            self.kick()

    def _claim_own(self, written: list[Written]) -> tuple[list[Claimed], bool]:
        now = self.clock()
        with self.session_factory.begin() as session:
            return own_rows.claim_own(
                session, written, now=now, window=self.window, held=self.holds.held_methods(now)
            )

    def _keyed(self, now: datetime) -> bool:
        """No unsent message lacks its conversation (rows written before messages carried
        it): looked at once a minute until there is none, then never again."""
        if self._keyed_since is not None:
            return True
        if self._unkeyed_seen is not None and now - self._unkeyed_seen < timedelta(minutes=1):
            return False
        with self.session_factory() as session:
            unkeyed = session.exec(
                select(OutboxMessage.id)
                .where(
                    col(OutboxMessage.method).in_(MESSAGES),
                    col(OutboxMessage.recipient).is_(None),
                    col(OutboxMessage.sent_at).is_(None),
                    col(OutboxMessage.dead).is_(False),
                )
                .limit(1)
            ).first()
        if unkeyed is None:
            self._keyed_since = now
            return True
        self._unkeyed_seen = now
        return False

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

    def _claim(
        self, skip: set[int], ours: set[int], done: Sequence[Outcome] = (), size: int = BATCH
    ) -> list[Claimed]:
        """Claim up to `size` due rows and read what sending them needs, in one transaction
        which first notes the outcomes of a batch before (`claim.claim_due`); size 0: only
        the notes."""
        now = self.clock()
        held = self.holds.held_methods(now)
        with self.session_factory.begin() as session:
            self._reported = note(session, done, self.report, now) or self._reported
            if not size:
                return []
            claim.take_turn(session)  # (after the notes: they lock only this sender's rows)
            return claim.claim_due(
                session, now, size, skip=skip, ours=ours, held=held, window=self.window
            )

    def _send_batch(
        self, batch: list[Claimed], posted: claim.Posted | None = None
    ) -> list[Outcome]:
        """Send a claimed batch in this thread, in the order written: one conversation
        (and what waits for its messages) after the other, Home refreshes last. `posted`:
        where earlier batches' messages went (notes perhaps not committed); this batch's too."""
        lanes: dict[object, list[Claimed]] = {}
        lane_of = claim.LaneOf()
        for claimed in batch:
            lanes.setdefault(lane_of(claimed.row), []).append(claimed)
        messages = [q for q in lanes.values() if q[0].row.method != HOME_REFRESH]
        outcomes: list[Outcome] = []
        homes = []
        for q in lanes.values():
            if q[0].row.method == HOME_REFRESH:
                # Two marks of one person (instances that raced): one publication shows all.
                outcomes += [self.attempts.done(extra.row, None, {}) for extra in q[1:]]
                homes.append(q[0])
        went, started = posted if posted is not None else claim.Posted(), self.clock()
        for q in [*messages, homes]:
            back = False  # a message of the lane went back: the rest of the lane waits too
            for claimed in q:
                outcome = released(claimed.row) if back else self._send_one(went, claimed, started)
                back = back or holds_back(outcome)  # (a Home refresh holds none back)
                outcomes.append(outcome)
        return outcomes

    def _finish(self, outcomes: Sequence[Outcome]) -> bool:
        """Note every row's outcome in a transaction of its own (again if it loses to
        another); when even that fails, each row in its own, so one cannot cost the rest.
        True when reports of refused rows were written for the coordinators."""
        if not outcomes:
            return False

        def all_at_once() -> bool:
            with self.session_factory.begin() as session:
                return note(session, outcomes, self.report, self.clock())

        try:
            return retried("the notes of a batch", all_at_once)
        except OperationalError:
            log.exception("the notes of a batch failed together; noting row by row")
        reported = False
        for outcome in outcomes:
            try:
                with self.session_factory.begin() as session:
                    reported = note(session, [outcome], self.report, self.clock()) or reported
            except OperationalError:
                log.exception("could not note outbox %s; its claim runs out", outcome.row.id)
        return reported

    # --- background retries ----------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def kick(self) -> None:
        self._wake.set()
        lanes = self._round
        if lanes is not None:  # a round under way claims the new rows soon
            lanes.poke()

    def start(self, interval: float = 5.0) -> None:
        """Retry in a daemon thread: every `interval` seconds, or at once when kicked."""

        def loop() -> None:
            bursts = BurstEnds()  # when one is over, its peak memory goes back to the system
            while not self._stop.is_set():
                # Cleared before the round, not after the wait: a kick that comes between
                # the two is for rows this round sends (they were committed before it).
                self._wake.clear()
                began = time.monotonic()
                try:
                    with self._sending:  # an action's thread sending now finishes first
                        sent = 0
                        # Stopping (asked while it waited for an action's thread): no round.
                        while not self._stop.is_set():
                            if (sent := self.deliver_due(ROUND)) < ROUND:
                                break  # else stopped at the limit, not for want of rows
                    bursts.after_round(sent)
                except Exception:
                    log.exception("outbox delivery failed; will try again")
                now = self.clock()
                wait = self.window.wait_at_most(interval, now)
                self._wakes_at = now + timedelta(seconds=wait)
                self._wake.wait(wait)
                # Kicked again at once (a burst): a round per SPACING at most, each
                # claiming what several actions committed.
                if (rest := began + SPACING - time.monotonic()) > 0:
                    self._stop.wait(rest)

        self._thread = threading.Thread(target=loop, name="outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)
        with self._pools_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False)
            self._pool = None
