"""What every conversation's notifier shares: the outbox it writes to, the directory,
languages and time zone, and the helpers that open, update and close messages.

The notifier never reads the database. It writes through `Outbox`, the outbox rows of the
use case's transaction (bot.infra.outbox_rows implements it): a row per Slack call, and
the messages with buttons it keeps track of (`Track`) so that it can update them later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.domain import rules
from bot.domain.directory import Directory
from bot.domain.request import Summary
from bot.slack import messages
from bot.slack.blocks import Block
from bot.texts import t

# Messages with the decision buttons: the contacts', their reminders and (after 5 working
# days) the coordinators'; the coordinators' copy of a request over budget, and of one whose
# city's contacts are all away.
DECIDING = ("decision", "reminder", "escalation", "budget", "away")
# The requester's confirmation DM: updated at every step, never closed while the request is open.
CONFIRMATION = "confirmation"


@dataclass(frozen=True)
class Track:
    """A message with buttons to keep track of: its kind, whom it went to, the request's
    round (version) it belongs to, and the partner city it asks (namings)."""

    kind: str
    user_id: str
    round: int | None = None
    city_key: str | None = None


class Tracked(Protocol):
    """A tracked message still open (its buttons not yet replaced by an outcome)."""

    @property
    def kind(self) -> str: ...

    @property
    def user_id(self) -> str: ...


class Outbox(Protocol):
    """The outbox rows of one transaction, at one moment (`now`)."""

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
        """Enqueue a Slack call; the returned row may be another's `thread_of`; held back
        until `not_before` (a DM that waits for working hours)."""

    def waiting(self, method: str, request_id: int) -> list[dict[str, Any]]:
        """The payloads of this request's rows of `method` not sent yet (nor given up)."""

    def open(
        self,
        request_id: int,
        kinds: tuple[str, ...] = (),
        *,
        but: str | None = None,
        city_key: str | None = None,
        user_id: str | None = None,
    ) -> Sequence[Tracked]:
        """The request's open tracked messages (of `kinds`, not of kind `but`), oldest first."""

    def update(
        self, tracked: Tracked, payload: dict[str, Any], *, request_id: int, close: bool
    ) -> None:
        """chat.update the tracked message; `close`: it is done with."""

    def drop_pending_updates(self, tracked: Tracked) -> None:
        """Forget its updates not sent yet (a newer one shows everything)."""

    def refresh_home(self, user: str) -> None: ...

    def drop_held(self, request_id: int) -> None:
        """The request's messages still held back (`not_before`) are not sent any more."""


# An outcome line in the reader's language; one tracked message drawn its own way.
Outcome = Callable[[str], str]
Render = Callable[[Tracked, str], "messages.Message | None"]


def dm(
    out: Outbox,
    user_id: str,
    message: messages.Message,
    *,
    request_id: int | None,
    track: Track | None = None,
    not_before: datetime | None = None,
) -> None:
    """A direct message: chat.postMessage to a user ID posts into the bot's DM with them
    (held back until `not_before`, if given)."""
    out.post(
        "chat.postMessage",
        {"channel": user_id, **message},
        request_id=request_id,
        track=track,
        not_before=not_before,
    )


@dataclass(frozen=True)
class NotifierBase:
    """Renders and enqueues notifications; knows the directory, languages, time zone.

    Nobody is sent a new message about what they did themselves: the messages they acted
    on are updated instead.
    """

    directory: Directory
    lang_of: Callable[[str], str]
    tz: ZoneInfo
    # The outbox rows of a transaction (the use case's session, handed on unopened).
    outbox: Callable[[object, datetime], Outbox]
    network_lang: str = "de"  # for what several people read together (the group DM)

    def tell_requester(
        self, out: Outbox, s: Summary, key: str, *extra: Block, **params: str
    ) -> None:
        """A DM to the requester, in their language: the news, then the request in short."""
        message = messages.to_requester(s, self.directory, s.locale, key, *extra, **params)
        dm(out, s.requester_id, message, request_id=s.id)

    def confirmation(
        self,
        out: Outbox,
        s: Summary,
        *,
        outcome: str | None = None,
        referred: bool = False,
        waiting: Sequence[str] | None = None,
    ) -> None:
        """The requester's confirmation DM shows the current status and what comes next
        (`referred`: the coordinators decide, over budget; `waiting`: the partner cities
        still to name experts); it keeps the withdraw button
        while the request is open and loses it when it is final."""
        tracked = out.open(s.id, (CONFIRMATION,))
        if not tracked:
            return
        message = messages.request_filed(
            s,
            self.directory,
            s.locale,
            outcome=outcome,
            update=True,
            referred=referred,
            waiting=waiting,
        )
        # This update shows everything; one still waiting (Slack down, say) must not be sent
        # after it and bring back an older status.
        out.drop_pending_updates(tracked[0])
        out.update(tracked[0], message, request_id=s.id, close=rules.is_final(s.status))

    def coordination_changed(self, out: Outbox) -> None:
        """What waits for the coordination may have changed (a request decided, named,
        handed over, ended; a claim moved): the coordinators' Home tabs show it anew."""
        for user in self.directory.coordinators:
            out.refresh_home(user)

    @staticmethod
    def for_user(outcome: Outcome, user: str) -> Outcome:
        """An outcome line that adds "(in Vertretung für @X)" after who acted."""

        def line(lang: str) -> str:
            first, *rest = outcome(lang).split("\n", 1)
            return "\n".join([first + t(lang, "outcome.for", user=f"<@{user}>"), *rest])

        return line

    def outcome(
        self, action: str, actor: str, now: datetime, comment: str | None = None, suffix: str = ""
    ) -> Outcome:
        """The line that replaces a message's buttons, rendered per reader's language."""
        return lambda lang: (
            messages.outcome_line(action, actor, now, lang, self.tz, comment) + suffix
        )

    def close_messages(
        self,
        out: Outbox,
        s: Summary,
        outcome: Outcome,
        *,
        kinds: tuple[str, ...] = (),
        city_key: str | None = None,
        user_id: str | None = None,
        render: Render | None = None,
    ) -> Sequence[Tracked]:
        """Update every open copy of the request's button messages to show the outcome
        (`render` may draw a message of its own for some of them). The confirmation DM has
        its own update (`confirmation`)."""
        closed = out.open(s.id, kinds, but=CONFIRMATION, city_key=city_key, user_id=user_id)
        for message in closed:
            lang = s.locale if message.user_id == s.requester_id else self.lang_of(message.user_id)
            shown = render(message, lang) if render else None
            if shown is None:
                shown = messages.closed_message(s, self.directory, lang, outcome(lang))
            out.update(message, shown, request_id=s.id, close=True)
        return closed
