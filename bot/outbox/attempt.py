"""One claimed row sent: Slack called, and the outcome to note (sent, retried later, or
refused for good); never raises."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.infra.db import SessionFactory
from bot.outbox import calls as slack
from bot.outbox import files
from bot.outbox.calls import FILE_DM, GROUP_DM, HOME_REFRESH, LINK_PARENT, POST, TIMEOUT, UPDATE
from bot.outbox.limits import RateHolds
from bot.outbox.notes import Claimed, Outcome, store_payload
from bot.outbox.writer import OBSOLETE
from models import ActionMessage, OutboxMessage

log = logging.getLogger("bot.outbox")

GIVE_UP_WAITING = timedelta(days=2)
MAX_BACKOFF = timedelta(minutes=15)


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s … capped at 15 minutes."""
    return min(timedelta(seconds=2 ** min(attempts, 12)), MAX_BACKOFF)


class Attempts:
    """Sends one claimed row at a time and says how it went (`Outcome`); the sender notes
    the outcomes of a batch together."""

    def __init__(
        self,
        session_factory: SessionFactory,
        client: WebClient,
        *,
        clock: Callable[[], datetime],
        holds: RateHolds,
        home: Callable[[str], dict[str, Any]] | None,
        makers: Mapping[str, files.Maker],
    ) -> None:
        self.session_factory = session_factory
        self.client = client
        self.clock = clock
        self.holds = holds
        self.home = home
        self.makers = makers  # kind -> what makes a FILE_DM row's file when it is sent

    def send(self, claimed: Claimed) -> Outcome:
        """Send one row; never raises (what goes wrong is this row's outcome, not the batch's)."""
        try:
            return self._send_row(claimed)
        except Exception as exc:
            log.exception("outbox %s could not be sent", claimed.row.id)
            return self.retry(claimed.row, f"{type(exc).__name__}: {exc}", None)

    def _send_row(self, claimed: Claimed) -> Outcome:
        row, target = claimed.row, claimed.target
        # Keys starting with "_" are ours (bookkeeping), not Slack's.
        payload = {k: v for k, v in row.payload.items() if not k.startswith("_")}
        if row.method == UPDATE and target is not None:
            if not target.ts:
                return self._postpone(row)
            payload.update(channel=target.channel, ts=target.ts)
        linked: tuple[str | None, str | None] | None = None
        if claimed.parent is not None:
            channel, ts = claimed.parent
            if row.payload.get(LINK_PARENT) and claimed.parent_dead:
                # What it links to will never be posted: the message goes without the link.
                payload = slack.with_link(payload, None)
            elif not ts:
                return self._postpone(row)
            elif row.payload.get(LINK_PARENT):
                linked = claimed.parent
            else:
                payload.update(channel=channel, thread_ts=ts)
        if row.method in (POST, GROUP_DM):
            # Marks the message as ours, so a timed-out post can be found instead of repeated.
            payload["metadata"] = slack.marked(row.id)
        timed_out = claimed.interrupted or (row.last_error or "").startswith(TIMEOUT)
        # (A file keeps where its upload stands and checks that itself: bot.outbox.files.)
        if row.method in (POST, GROUP_DM) and timed_out:
            found = self._found_after_timeout(row, target, payload)
            if found is None:  # could not look; look again later rather than guess
                return self.retry(row, f"{TIMEOUT}not known whether it was sent", None)
            if found is not False:
                return found
        if row.method == HOME_REFRESH and self.home is None:
            return self._postpone(row)  # a process without a Home renderer leaves it
        upload = dict(row.payload)  # a file's payload as last saved (where its upload stands)

        def save(payload: dict[str, Any]) -> None:
            if not store_payload(self.session_factory, row, payload):
                raise files.RowGone("its row is gone or sent (purged, or sent by another)")
            upload.clear()
            upload.update(payload)

        try:
            if row.method == FILE_DM:
                ready = files.made(dict(row.payload), self.makers, save)
                shared = files.deliver(self.client, ready, save)
                return self.done(row, target, shared, payload=files.sent_payload(upload))
            if linked is not None:
                link = self.client.chat_getPermalink(
                    channel=str(linked[0]), message_ts=str(linked[1])
                )["permalink"]
                payload = slack.with_link(payload, str(link))
            response = slack.call(self.client, row.method, payload, self.home)
        except SlackApiError as exc:
            error, status = slack.slack_error(exc)
            if slack.is_transient(exc):
                retry_after = slack.retry_after(exc)
                if status == 429 and retry_after is not None:
                    method = slack.called_method(exc, row.method)
                    self.holds.hold(method, self.clock() + retry_after)
                return self.retry(row, f"{status} {error}", retry_after)
            return self._dead(row, error or f"HTTP {status}")
        except files.NotMade as exc:  # nobody to tell: what it was made of is gone
            log.warning("outbox %s ends unsent: %s", row.id, exc)
            gone = isinstance(exc, files.RowGone)  # nothing left to note on it
            ended = {"dead": True, "last_error": OBSOLETE + str(exc)[:400]}
            return Outcome(row, {"claimed_until": None, **({} if gone else ended)})
        except Exception as exc:  # network errors and timeouts: try again later
            prefix = TIMEOUT if slack.is_timeout(exc) else ""
            return self.retry(row, f"{prefix}{type(exc).__name__}: {exc}"[:500], None)
        return self.done(row, target, response.data if isinstance(response.data, dict) else {})

    def _found_after_timeout(
        self, row: OutboxMessage, target: ActionMessage | None, payload: dict[str, Any]
    ) -> Outcome | Literal[False] | None:
        """After a timeout (or a send cut short) Slack may have posted the message (or shared
        the file) anyway: look for it in the conversation before sending again (Slack has no
        idempotency key).

        None: the look failed for a passing reason (5xx, 429, network); look again later.
        """
        try:
            found = slack.find_posted(self.client, row, payload)
        except Exception as exc:
            if slack.is_transient(exc):
                log.info("could not check whether outbox %s was sent (%s); later", row.id, exc)
                return None
            log.info("cannot check whether outbox %s was sent (%s); sending", row.id, exc)
            return False
        if found is None:
            return False
        log.info("outbox %s was sent despite the timeout; not sending again", row.id)
        return self.done(row, target, {"channel": found[0], "ts": found[1]})

    def _postpone(self, row: OutboxMessage) -> Outcome:
        # The message to update (or to reply to) is not posted yet; it is ahead in the queue.
        if self.clock() - row.created_at > GIVE_UP_WAITING:
            return self._dead(row, "the message it refers to was never posted")
        return self.retry(
            row, "waiting for its message to be posted", timedelta(seconds=2), count=False
        )

    def done(
        self,
        row: OutboxMessage,
        target: ActionMessage | None,
        data: dict,
        *,
        payload: dict[str, Any] | None = None,
    ) -> Outcome:
        result = (data.get("channel"), data.get("ts"))
        values: dict[str, Any] = {
            "sent_at": self.clock(),
            "claimed_until": None,
            "last_error": None,
            "result_channel": result[0],
            "result_ts": result[1],
        }
        if payload is not None:  # a file's, without its bytes (they are in Slack now)
            values["payload"] = payload
        posted = row.method in (POST, GROUP_DM)  # a group DM's introduction is tracked too
        posted_to = target.id if target is not None and posted else None
        if posted_to is not None and target is not None:
            # A chat.update later in this batch finds its message here.
            target.channel, target.ts = result
        return Outcome(row, values, sent=True, result=result, target_id=posted_to)

    def retry(
        self, row: OutboxMessage, error: str, delay: timedelta | None, *, count: bool = True
    ) -> Outcome:
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
        return Outcome(row, values)

    def _dead(self, row: OutboxMessage, error: str) -> Outcome:
        log.error(
            "slack %s for request %s refused permanently: %s", row.method, row.request_id, error
        )
        values: dict[str, Any] = {"dead": True, "claimed_until": None, "last_error": error[:500]}
        if row.method == FILE_DM:  # nothing sends it any more: its bytes need not wait for purge
            values["payload"] = files.sent_payload(row.payload)
        return Outcome(row, values, dead_error=error)
