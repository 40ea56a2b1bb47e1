"""The one narrow way out to Slack: every notification is an outbox row.

Each method renders the message with the Block Kit builders and enqueues it in
the caller's transaction, so it is sent exactly when the change commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.domain.directory import Directory
from bot.domain.request import Summary
from bot.domain.states import Action
from bot.i18n import t
from bot.outbox import FILE_DM, GROUP_DM, enqueue
from bot.slack import messages
from bot.slack.blocks import Block, clip, escape, section
from bot.slack.digest import digest_messages
from models import ActionMessage, Expert, OutboxMessage

if TYPE_CHECKING:
    # For hints only: the digest use case imports this module.
    from bot.usecases.digest import Digest

# Messages with the decision buttons: the contacts' and (after 5 days) the coordinators'.
DECIDING = ("decision", "escalation")


def dm(
    session: Session,
    user_id: str,
    message: messages.Message,
    *,
    request_id: int | None,
    now: datetime,
    action_message: ActionMessage | None = None,
) -> None:
    """A direct message: chat.postMessage to a user ID posts into the bot's DM with them."""
    enqueue(
        session,
        "chat.postMessage",
        {"channel": user_id, **message},
        request_id=request_id,
        action_message=action_message,
        now=now,
    )


@dataclass(frozen=True)
class Notifier:
    """Renders and enqueues every notification; knows the directory, languages, time zone."""

    directory: Directory
    lang_of: Callable[[str], str]
    tz: ZoneInfo

    def tell_requester(
        self, session: Session, s: Summary, text: str, *extra: Block, now: datetime
    ) -> None:
        """A DM to the requester, in their language: the news, then the request in short."""
        message = messages.to_requester(s, self.directory, s.locale, text, *extra)
        dm(session, s.requester_id, message, request_id=s.id, now=now)

    def request_filed(self, session: Session, s: Summary, *, now: datetime) -> None:
        """Tell the requester their request number."""
        dm(
            session,
            s.requester_id,
            messages.request_filed(s, self.directory, s.locale),
            request_id=s.id,
            now=now,
        )

    def deciders(self, s: Summary) -> tuple[str, ...]:
        """The active contacts of the requester's city; coordinators if the city has none."""
        return self.directory.contacts_of(s.own_city_key) or self.directory.coordinators

    def decision_needed(
        self,
        session: Session,
        s: Summary,
        *,
        now: datetime,
    ) -> None:
        """Every contact of the requester's own city gets the request with the decision buttons."""
        for user in self.deciders(s):
            tracked = ActionMessage(request_id=s.id, kind="decision", user_id=user, round=s.version)
            dm(
                session,
                user,
                messages.decision_request(s, self.directory, self.lang_of(user)),
                request_id=s.id,
                now=now,
                action_message=tracked,
            )

    def outcome(
        self, action: str, actor: str, now: datetime, comment: str | None = None, suffix: str = ""
    ) -> Callable[[str], str]:
        """The line that replaces a message's buttons, rendered per reader's language."""
        return lambda lang: (
            messages.outcome_line(action, actor, now, lang, self.tz, comment) + suffix
        )

    def close_messages(
        self,
        session: Session,
        s: Summary,
        outcome: Callable[[str], str],
        *,
        now: datetime,
        kinds: tuple[str, ...] = (),
        city_key: str | None = None,
        user_id: str | None = None,
    ) -> list[ActionMessage]:
        """Update every open copy of the request's button messages to show the outcome."""
        query = select(ActionMessage).where(
            ActionMessage.request_id == s.id, col(ActionMessage.closed).is_(False)
        )
        if kinds:
            query = query.where(col(ActionMessage.kind).in_(kinds))
        if city_key:
            query = query.where(ActionMessage.city_key == city_key)
        if user_id:
            query = query.where(ActionMessage.user_id == user_id)
        closed = list(session.exec(query.order_by(col(ActionMessage.id))).all())
        for message in closed:
            lang = self.lang_of(message.user_id)
            enqueue(
                session,
                "chat.update",
                messages.closed_message(s, self.directory, lang, outcome(lang)),
                request_id=s.id,
                action_message=message,
                now=now,
            )
            message.closed = True
            session.add(message)
        return closed

    def decision_made(
        self,
        session: Session,
        s: Summary,
        action: Action,
        actor: str,
        comment: str | None,
        *,
        now: datetime,
    ) -> None:
        """Close every copy of the decision message; tell the requester; on approval ask the
        partner cities for experts and let the coordinators know."""
        self.close_messages(
            session, s, self.outcome(action, actor, now, comment), now=now, kinds=DECIDING
        )
        lang = s.locale
        mention = f"<@{actor}>"
        if action == Action.APPROVE:
            text = t(lang, "dm.approved", id=s.id, actor=mention)
            self.tell_requester(session, s, text, now=now)
            self.naming_needed(session, s, now=now)
            for user in self.directory.coordinators:
                tracked = ActionMessage(
                    request_id=s.id, kind="coordination", user_id=user, round=s.version
                )
                dm(
                    session,
                    user,
                    messages.approved_for_coordinators(
                        s, self.directory, self.lang_of(user), actor
                    ),
                    request_id=s.id,
                    now=now,
                    action_message=tracked,
                )
        elif action == Action.DECLINE:
            text = t(lang, "dm.declined", id=s.id, actor=mention)
            reason = section(">" + escape(clip(comment or "–", 2800)).replace("\n", "\n>"))
            self.tell_requester(session, s, text, reason, now=now)
        elif action == Action.ASK:
            message = messages.question_for_requester(s, self.directory, lang, actor, comment or "")
            tracked = ActionMessage(
                request_id=s.id, kind="question", user_id=s.requester_id, round=s.version
            )
            dm(session, s.requester_id, message, request_id=s.id, now=now, action_message=tracked)

    def naming_needed(
        self,
        session: Session,
        s: Summary,
        *,
        now: datetime,
    ) -> None:
        """Each partner city's naming contacts (topic people first) are asked for experts."""
        for city in s.partner_keys:
            people = (
                self.directory.naming_contacts(city, s.topic_key) or self.directory.coordinators
            )
            for user in people:
                tracked = ActionMessage(
                    request_id=s.id, kind="naming", user_id=user, city_key=city, round=s.version
                )
                dm(
                    session,
                    user,
                    messages.naming_request(s, self.directory, self.lang_of(user), city),
                    request_id=s.id,
                    now=now,
                    action_message=tracked,
                )

    def resubmitted(
        self,
        session: Session,
        s: Summary,
        *,
        now: datetime,
        answer: tuple[str | None, str] | None = None,
    ) -> None:
        """After an answer or an edit: old messages point to the new one; contacts decide anew."""
        action = "answer" if answer else "edit"
        self.close_messages(session, s, self.outcome(action, s.requester_id, now), now=now)
        for user in self.deciders(s):
            tracked = ActionMessage(request_id=s.id, kind="decision", user_id=user, round=s.version)
            message = messages.decision_request(
                s, self.directory, self.lang_of(user), answer=answer, resubmitted=True
            )
            dm(session, user, message, request_id=s.id, now=now, action_message=tracked)
        text = t(s.locale, "dm.resubmitted", id=s.id)
        self.tell_requester(session, s, text, now=now)

    def cancelled(
        self,
        session: Session,
        s: Summary,
        actor: str,
        *,
        now: datetime,
    ) -> None:
        """Every open message is updated; everyone who had one is told; the requester too."""
        closed = self.close_messages(session, s, self.outcome("cancel", actor, now), now=now)
        told = {m.user_id for m in closed if m.kind != "question"} - {s.requester_id}
        for user in sorted(told):
            text = t(self.lang_of(user), "dm.cancelled_contact", id=s.id, actor=f"<@{actor}>")
            dm(session, user, messages.plain_message(text), request_id=s.id, now=now)
        text = t(s.locale, "dm.cancelled", id=s.id)
        self.tell_requester(session, s, text, now=now)

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
        matched: bool,
    ) -> None:
        """Close this city's naming messages, open the group DM with an introduction, and tell
        the requester when every partner city has named its experts."""
        names = ", ".join(f"<@{e}>" for e in experts)
        outcome = self.outcome("name", actor, now, suffix=f": {names}")
        self.close_messages(session, s, outcome, now=now, kinds=("naming",), city_key=city_key)
        members = list(dict.fromkeys([s.requester_id, *experts, actor]))
        intro = messages.introduction(s, self.directory, s.locale, actor, experts, note)
        enqueue(session, GROUP_DM, {"users": members, **intro}, request_id=s.id, now=now)
        if matched:
            self.request_matched(session, s, actor, now=now)

    def request_matched(
        self,
        session: Session,
        s: Summary,
        actor: str,
        *,
        now: datetime,
    ) -> None:
        self.close_messages(session, s, self.outcome("match", actor, now), now=now)
        text = t(s.locale, "dm.matched", id=s.id)
        self.tell_requester(session, s, text, now=now)
        self.calendar_files(session, s, now=now)

    def calendar_files(self, session: Session, s: Summary, *, now: datetime) -> None:
        """Requester and experts get the exchange as an .ics file in their DM."""
        from bot.domain.calendar import exchange_ics  # icalendar is only needed here

        experts = session.exec(
            select(Expert.user_id).where(Expert.request_id == s.id).order_by(col(Expert.id))
        ).all()
        for user in dict.fromkeys([s.requester_id, *experts]):
            lang = s.locale if user == s.requester_id else self.lang_of(user)
            content = exchange_ics(
                s,
                self.directory,
                tz=self.tz,
                lang=lang,
                now=now,
                network=self.directory.network_name,
            )
            payload = {
                "user": user,
                "content": content.decode("utf-8"),
                "filename": f"cr-austausch-{s.id}.ics",
                "title": t(lang, "ics.title", id=s.id),
                "initial_comment": t(lang, "ics.comment", id=s.id),
            }
            enqueue(session, FILE_DM, payload, request_id=s.id, now=now)

    def reminder(self, session: Session, s: Summary, days: int, *, now: datetime) -> None:
        """The decision is pending for `days` working days: remind the contacts."""
        for user in self.deciders(s):
            dm(
                session,
                user,
                messages.reminder(s, self.lang_of(user), days),
                request_id=s.id,
                now=now,
            )

    def escalation(self, session: Session, s: Summary, days: int, *, now: datetime) -> None:
        """Pending for `days` working days: the coordinators get the decision buttons."""
        for user in self.directory.coordinators:
            tracked = ActionMessage(
                request_id=s.id, kind="escalation", user_id=user, round=s.version
            )
            dm(
                session,
                user,
                messages.escalation(s, self.directory, self.lang_of(user), days),
                request_id=s.id,
                now=now,
                action_message=tracked,
            )

    def reflection_prompt(
        self, session: Session, s: Summary, experts: list[str], *, now: datetime
    ) -> None:
        """The day after the exchange: requester and experts are asked to reflect."""
        for user in dict.fromkeys([s.requester_id, *experts]):
            lang = s.locale if user == s.requester_id else self.lang_of(user)
            tracked = ActionMessage(request_id=s.id, kind="reflection", user_id=user, round=1)
            dm(
                session,
                user,
                messages.reflection_prompt(s, lang),
                request_id=s.id,
                now=now,
                action_message=tracked,
            )

    def reflected(self, session: Session, s: Summary, user: str, *, now: datetime) -> None:
        """Thank the person: their reflection message loses its button."""
        tz = self.tz

        def outcome(lang: str) -> str:
            return t(lang, "outcome.reflected", when=messages.when(now, lang, tz))

        self.close_messages(session, s, outcome, now=now, kinds=("reflection",), user_id=user)

    def digest(
        self, session: Session, digest: Digest, channel: str, lang: str, *, now: datetime
    ) -> None:
        """The channel digest: the first message in the channel, the rest in its thread."""
        first: OutboxMessage | None = None
        for message in digest_messages(digest, self.directory, lang):
            row = enqueue(
                session,
                "chat.postMessage",
                {"channel": channel, "unfurl_links": False, **message},
                thread_of=first,
                now=now,
            )
            if first is None:
                session.flush()  # the thread's later messages refer to the first row
                first = row
