"""The one port out: what the use cases tell the world, as domain facts.

Use cases depend on `Notifications` (and its parts, one per conversation) and get their
`Context` from the composition root (`bot.slack.services`); the Slack notifier
(`bot.slack.notify`) implements the port. Every fact is told inside the use case's
transaction (`session`): what it sends goes out exactly when the change commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.budget import BudgetLine
from bot.domain.claims import Claim
from bot.domain.deputies import Absence
from bot.domain.digest import Digest
from bot.domain.directory import Directory
from bot.domain.directory_edits import Change
from bot.domain.reflection import Lesson, Shared
from bot.domain.request import Summary
from bot.domain.routing import Experts, Introduction
from bot.domain.schedule import Reach
from bot.domain.states import Action, Status

People = tuple[str, ...]


class Deciding(Protocol):
    """A request filed, decided, asked about, answered, edited, withdrawn; reminders."""

    def request_filed(
        self,
        session: Session,
        s: Summary,
        *,
        deciders: People,
        budget: BudgetLine | None,
        now: datetime,
    ) -> None:
        """Filed: the requester gets their number; `deciders` decide (the coordinators
        when nobody is left, every contact being away)."""

    def decision_made(
        self,
        session: Session,
        s: Summary,
        action: Action,
        actor: str,
        comment: str | None,
        *,
        namers: Sequence[tuple[str, People]],
        now: datetime,
        on_behalf_of: str | None = None,
        over_budget: bool = False,
    ) -> None:
        """Approved, declined or asked; on approval `namers` are asked for experts;
        `over_budget`: a coordinator approved beyond the budget."""

    def over_budget(
        self, session: Session, s: Summary, line: BudgetLine, actor: str, *, now: datetime
    ) -> None:
        """A contact's approval would exceed the budget: the coordinators decide (the
        contacts' copies close; the requester is told who decides now)."""

    def resubmitted(
        self,
        session: Session,
        s: Summary,
        *,
        deciders: People,
        budget: BudgetLine | None,
        now: datetime,
        answer: tuple[str | None, str] | None = None,
    ) -> None:
        """Answered (question, answer) or edited: up for decision again."""

    def cancelled(
        self,
        session: Session,
        s: Summary,
        actor: str,
        *,
        experts: People,
        now: datetime,
        involved: People = (),
        introduction: Introduction | None = None,
    ) -> None:
        """Withdrawn (by the requester or a coordinator): every open message closes (the
        group DM's `introduction` without its agreement button); the experts and whoever
        took part (`involved`) are told."""

    def reminder(
        self,
        session: Session,
        s: Summary,
        days: int,
        *,
        deciders: People,
        budget: BudgetLine | None,
        now: datetime,
    ) -> None:
        """Pending for `days` working days: remind `deciders`."""

    def escalation(
        self, session: Session, s: Summary, days: int, *, budget: BudgetLine | None, now: datetime
    ) -> None:
        """Pending for `days` working days: the coordinators decide."""


class Matching(Protocol):
    """Experts named, the request matched, the agreement confirmed, the exchange over."""

    def experts_named(
        self,
        session: Session,
        s: Summary,
        city_key: str,
        actor: str,
        experts: list[str],
        note: str | None,
        *,
        now: datetime,
        matched: Introduction | None,
        on_behalf_of: str | None = None,
        waiting: Sequence[str] | None = None,
    ) -> None:
        """A partner city named its experts; `matched` when it was the last one, else
        `waiting`: the partner cities still to name theirs."""

    def request_matched(
        self, session: Session, s: Summary, actor: str, *, introduction: Introduction, now: datetime
    ) -> None:
        """A coordinator marked the request matched (experts found outside the bot)."""

    def agreement_confirmed(
        self,
        session: Session,
        s: Summary,
        introduction: Introduction,
        *,
        channel: str,
        ts: str,
        now: datetime,
    ) -> None:
        """Somebody confirmed the agreement shown at (channel, ts)."""

    def completed(
        self, session: Session, s: Summary, *, now: datetime, experts: People = ()
    ) -> None:
        """The exchange is over (took place): the requester and the `experts` get their
        certificates of participation."""


class Overdue(Protocol):
    """What happens when nothing happens in time: namings followed up, requests lapsed."""

    def naming_reminder(
        self,
        session: Session,
        s: Summary,
        days: int,
        *,
        namers: Sequence[tuple[str, People]],
        now: datetime,
    ) -> None:
        """Experts missing for `days` working days: remind the cities' naming contacts."""

    def naming_escalation(
        self, session: Session, s: Summary, days: int, *, missing: Sequence[str], now: datetime
    ) -> None:
        """Experts of the `missing` cities still not named: the coordinators may name them."""

    def lapsed(
        self,
        session: Session,
        s: Summary,
        previous: Status,
        *,
        missing: Sequence[str],
        experts: People,
        now: datetime,
        reach: Reach | None = None,
    ) -> None:
        """Its first day came while it was `previous` (undecided, or approved with the
        `missing` cities' experts not named): it did not take place. `experts`: the experts
        named so far and who named them. Its buttons close at once; the news reaches each
        person when `reach` says (in their working hours), at once without it."""

    def took_place(self, session: Session, s: Summary, actor: str, *, now: datetime) -> None:
        """A coordinator recorded that a lapsed exchange took place after all."""

    def new_dates(
        self,
        session: Session,
        s: Summary,
        before: tuple[date, date],
        *,
        deciders: People,
        budget: BudgetLine | None,
        now: datetime,
    ) -> None:
        """The requester gave a request that lapsed undecided new dates (they were `before`):
        its `deciders` are asked anew; whoever holds a message about it is told."""


class Reflecting(Protocol):
    """Reflections asked for, given, shared; the day-45 question; the lessons."""

    def reflection_prompt(
        self, session: Session, s: Summary, experts: list[str], *, now: datetime
    ) -> None: ...

    def reflected(self, session: Session, s: Summary, user: str, *, now: datetime) -> None: ...

    def reflection_reminder(
        self, session: Session, s: Summary, users: list[str], asked_at: datetime, *, now: datetime
    ) -> None:
        """Once, 7 days after the prompt (`asked_at`): `users` have not reflected yet."""

    def joint_reflection(
        self,
        session: Session,
        s: Summary,
        shared: Sequence[Shared],
        *,
        experts: Experts,
        answered: int,
        asked: int,
        now: datetime,
    ) -> None: ...

    def follow_up(self, session: Session, s: Summary, *, now: datetime) -> None: ...

    def followed_up(self, session: Session, s: Summary, answer: str, *, now: datetime) -> None:
        """The requester answered the day-45 question (`answer`: yes, partly, not_yet)."""

    def lessons(
        self,
        session: Session,
        grouped: Sequence[tuple[Summary, Sequence[Lesson]]],
        channel: str,
        lang: str,
        *,
        now: datetime,
    ) -> None: ...


class Deputies(Protocol):
    def deputy_set(self, session: Session, absence: Absence, actor: str, *, now: datetime) -> None:
        """`absence.deputy` stands in for `absence.user` (None: nobody does)."""

    def deputy_ended(
        self, session: Session, absence: Absence, actor: str, *, now: datetime
    ) -> None: ...


class Claims(Protocol):
    def claim_prompt(self, session: Session, s: Summary, *, now: datetime) -> None:
        """The requester is asked for the actual costs."""

    def claim_reminder(
        self, session: Session, s: Summary, asked_at: datetime, *, now: datetime
    ) -> None:
        """Once, 7 days after the requester was asked (`asked_at`): no costs claimed yet."""

    def claim_submitted(self, session: Session, s: Summary, claim: Claim, *, now: datetime) -> None:
        """The requester claimed their costs; the coordinators check them."""

    def claim_stepped(
        self,
        session: Session,
        s: Summary,
        claim: Claim,
        actor: str,
        *,
        now: datetime,
        question: str | None = None,
    ) -> None:
        """A coordinator checked, paid or questioned the claim."""


@dataclass(frozen=True)
class OutgoingFile:
    """A file for someone's DM (the report page, its PDF, the payments list): its name,
    title, the comment that introduces it, and its bytes."""

    filename: str
    title: str
    comment: str
    content: bytes


class Files(Protocol):
    def files_for(
        self, session: Session, user: str, files: Sequence[OutgoingFile], *, now: datetime
    ) -> None:
        """`files` go into the DM with `user`, each once."""

    def certificate_asked(self, session: Session, s: Summary, user: str, *, now: datetime) -> None:
        """`user` (requester or expert of the completed exchange) gets their certificate of
        participation into their DM again."""


class Digests(Protocol):
    def digest(
        self, session: Session, digest: Digest, channel: str, lang: str, *, now: datetime
    ) -> None: ...


class DirectoryChanges(Protocol):
    def directory_changed(
        self, session: Session, change: Change, actor: str, *, now: datetime
    ) -> None:
        """A coordinator changed the directory in Slack: whoever gained or lost a role
        (`change.added`, `change.removed`) is told what they now decide, or no longer."""


class Notifications(
    Deciding,
    Matching,
    Overdue,
    Reflecting,
    Deputies,
    Claims,
    Files,
    Digests,
    DirectoryChanges,
    Protocol,
):
    """Everything the use cases tell; the Slack notifier is one implementation."""


@dataclass(frozen=True)
class Context:
    """What a use case works with besides the database: the directory snapshot of this
    action, the network's time zone, and the port to tell what happened."""

    directory: Directory
    tz: ZoneInfo
    notify: Notifications

    def today(self, now: datetime) -> date:
        """`now`'s day in the network's time zone."""
        return now.astimezone(self.tz).date()
