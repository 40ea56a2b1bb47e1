"""The background sender's rows in lanes, sent while later batches are claimed.

A lane is what must go out in order: one conversation's messages, one message's updates,
replies after what they reply to, one person's Home tab (`lane_of`). Each lane is sent by
one worker at a time, row after row, and goes on with the rows later batches add to it
without waiting for the batch it started in to end (a burst to the same few people
streams). A worker gives its place up after `TURN` rows when others wait for one, so a
busy conversation holds back no other.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from bot.outbox import claim
from bot.outbox.calls import HOME_REFRESH
from bot.outbox.notes import Claimed, Outcome, released

log = logging.getLogger("bot.outbox")

TURN = 8  # rows a worker sends of one lane before the lanes waiting for a worker

# Sends one claimed row (claimed at the given time) and says how it went; never raises.
Send = Callable[[Claimed, datetime], Outcome]
# The outcome of a row that needs no call of its own (a second mark of one Home tab).
Settle = Callable[[Claimed], Outcome]


class Lanes:
    """The rows of one round in their lanes, and the workers sending them."""

    def __init__(self, send: Send, settle: Settle, pool: ThreadPoolExecutor, workers: int) -> None:
        self._send = send
        self._settle = settle
        self._pool = pool
        self._workers = workers
        self.cond = threading.Condition()
        self._queues: dict[object, deque[tuple[Claimed, datetime]]] = {}
        self._active: set[object] = set()  # lanes a worker has (or is queued for)
        self._lane_of = claim.LaneOf()
        self._done: list[Outcome] = []  # not noted yet
        self._open: set[int] = set()  # claimed in this round, not noted yet
        self._stopped: set[object] = set()  # lanes whose message went back: the rest wait
        self.waiting = 0  # rows claimed, not started
        self.busy = 0  # rows claimed, not done
        self.low = 0  # the sender wants to hear when no more than this many rows wait

    def add(self, batch: list[Claimed], claimed_at: datetime) -> None:
        """A claimed batch's rows to their lanes (messages before Home tabs); a lane that
        no worker has gets one."""
        fresh: list[object] = []
        with self.cond:
            for item in batch:
                row = item.row
                key = self._lane_of(row)
                queue = self._queues.setdefault(key, deque())
                if row.id is not None:
                    self._open.add(row.id)
                if row.method == HOME_REFRESH and queue:
                    # Two marks of one person (instances that raced): one publication shows all.
                    self._done.append(self._settle(item))
                    continue
                queue.append((item, claimed_at))
                self.waiting += 1
                self.busy += 1
                if key not in self._active:
                    self._active.add(key)
                    fresh.append(key)
        fresh.sort(key=lambda k: isinstance(k, tuple) and k[0] == "home")
        for key in fresh:
            self._start(key)

    def _start(self, key: object) -> None:
        try:
            self._pool.submit(self._run, key)
        except RuntimeError:  # the pool is shut down (the sender stops): here, then
            self._run(key, turn=None)

    def _run(self, key: object, turn: int | None = TURN) -> None:
        sent = 0
        while True:
            with self.cond:
                queue = self._queues[key]
                if not queue:
                    del self._queues[key]
                    self._active.discard(key)
                    return
                if turn is not None and sent >= turn and self._others_wait():
                    break
                item, claimed_at = queue.popleft()
                self.waiting -= 1
                if self.waiting == self.low:
                    self.cond.notify_all()
            if key in self._stopped:
                outcome = released(item.row)  # behind a message that goes back: it waits too
            else:
                try:
                    outcome = self._send(item, claimed_at)
                except Exception:  # (sending never raises; a row must never stay in limbo)
                    log.exception("outbox %s: its lane failed; it goes back", item.row.id)
                    outcome = released(item.row)
                if holds_back(outcome):
                    self._stopped.add(key)
            sent += 1
            with self.cond:
                self._done.append(outcome)
                self.busy -= 1
                if self.busy == 0:
                    self.cond.notify_all()
        self._start(key)  # to the back of the line

    def _others_wait(self) -> bool:
        """Lanes wait for a worker (the pool's queue holds their starts)."""
        return len(self._active) > self._workers

    def take_done(self) -> tuple[list[Outcome], set[int]]:
        """The outcomes not noted yet (the caller notes them now), and the rows claimed in
        this round not noted before (those being sent, and these)."""
        with self.cond:
            done, self._done = self._done, []
            ours = set(self._open)
            self._open.difference_update(o.row.id for o in done if o.row.id is not None)
        return done, ours

    def poke(self) -> None:
        with self.cond:
            self.cond.notify_all()


def holds_back(outcome: Outcome) -> bool:
    """A message that was not sent and goes back to wait for its retry (not one given up):
    the later messages of its conversation wait behind it, so the person gets them in the
    order written (`claim.in_order` keeps them waiting in later rounds)."""
    return not outcome.sent and not outcome.values.get("dead") and outcome.row.method in claim.POSTS
