"""The one narrow way out to Slack: every notification is an outbox row.

Each method renders the message with the Block Kit builders and enqueues it in
the caller's transaction, so it is sent exactly when the change commits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.domain import rules
from bot.domain.budget import BudgetLine
from bot.domain.deputies import Absence, route
from bot.domain.directory import Directory
from bot.domain.request import Summary
from bot.domain.schedule import ESCALATE_AFTER_WORKING_DAYS
from bot.domain.states import Action
from bot.outbox import (
    FILE_DM,
    GROUP_DM,
    LINK_PARENT,
    enqueue,
    refresh_home,
    supersede_updates,
)
from bot.slack import messages, reflections
from bot.slack.agreement import agreement_blocks
from bot.slack.blocks import Block, clip, escape, section
from bot.slack.budget import with_budget
from bot.slack.digest import digest_messages
from bot.texts import fmt_date, join_names, t
from bot.usecases.budget import budget_line
from bot.usecases.deputies import away
from models import ActionMessage, Expert, OutboxMessage

if TYPE_CHECKING:
    # For hints only: the digest use case imports this module.
    from bot.slack.reflections import Shared
    from bot.usecases.digest import Digest
    from bot.usecases.search import Lesson

# Messages with the decision buttons: the contacts', their reminders and (after 5 working
# days) the coordinators'; the coordinators' copy of a request over budget, and of one whose
# city's contacts are all away.
DECIDING = ("decision", "reminder", "escalation", "budget", "away")
# The requester's confirmation DM: updated at every step, never closed while the request is open.
CONFIRMATION = "confirmation"
# (city, experts, the contact who named them), per partner city.
Named = list[tuple[str, list[str], str]]
Render = Callable[[ActionMessage, str], "messages.Message | None"]


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
    """Renders and enqueues every notification; knows the directory, languages, time zone.

    Nobody is sent a new message about what they did themselves: the messages they acted
    on are updated instead.
    """

    directory: Directory
    lang_of: Callable[[str], str]
    tz: ZoneInfo
    network_lang: str = "de"  # for what several people read together (the group DM)

    def tell_requester(
        self, session: Session, s: Summary, key: str, *extra: Block, now: datetime, **params: str
    ) -> None:
        """A DM to the requester, in their language: the news, then the request in short."""
        message = messages.to_requester(s, self.directory, s.locale, key, *extra, **params)
        dm(session, s.requester_id, message, request_id=s.id, now=now)

    def request_filed(self, session: Session, s: Summary, *, now: datetime) -> None:
        """Tell the requester their request number; the DM is kept up to date (`confirmation`)."""
        tracked = ActionMessage(request_id=s.id, kind=CONFIRMATION, user_id=s.requester_id)
        dm(
            session,
            s.requester_id,
            messages.request_filed(s, self.directory, s.locale),
            request_id=s.id,
            now=now,
            action_message=tracked,
        )

    def confirmation(
        self, session: Session, s: Summary, *, now: datetime, outcome: str | None = None
    ) -> None:
        """The requester's confirmation DM shows the current status and what comes next; it
        keeps the withdraw button while the request is open and loses it when it is final."""
        tracked = session.exec(
            select(ActionMessage).where(
                ActionMessage.request_id == s.id,
                ActionMessage.kind == CONFIRMATION,
                col(ActionMessage.closed).is_(False),
            )
        ).first()
        if tracked is None:
            return
        message = messages.request_filed(s, self.directory, s.locale, outcome=outcome, update=True)
        # This update shows everything; one still waiting (Slack down, say) must not be sent
        # after it and bring back an older status.
        supersede_updates(session, tracked.id)
        enqueue(session, "chat.update", message, request_id=s.id, action_message=tracked, now=now)
        if rules.is_final(s.status):
            tracked.closed = True
            session.add(tracked)

    def decision_needed(
        self,
        session: Session,
        s: Summary,
        *,
        now: datetime,
    ) -> None:
        """Every contact of the requester's own city gets the request with the decision buttons
        (a deputy instead of a contact away); the coordinators when all of them are away."""
        deciders = self.routed_deciders(session, s, now=now)
        if not deciders:
            self.all_away(session, s, now=now)
        for user in deciders:
            tracked = ActionMessage(request_id=s.id, kind="decision", user_id=user, round=s.version)
            lang = self.lang_of(user)
            dm(
                session,
                user,
                self.budgeted(session, s, messages.decision_request(s, self.directory, lang), lang),
                request_id=s.id,
                now=now,
                action_message=tracked,
            )

    @staticmethod
    def for_user(outcome: Callable[[str], str], user: str) -> Callable[[str], str]:
        """An outcome line that adds "(in Vertretung für @X)" after who acted."""

        def line(lang: str) -> str:
            first, *rest = outcome(lang).split("\n", 1)
            return "\n".join([first + t(lang, "outcome.for", user=f"<@{user}>"), *rest])

        return line

    def routed(self, session: Session, users: tuple[str, ...], *, now: datetime) -> tuple[str, ...]:
        """`users` with a deputy instead of each one away (nobody for one away without)."""
        today = now.astimezone(self.tz).date()
        return route(users, away(session, users, today), today)

    def routed_deciders(self, session: Session, s: Summary, *, now: datetime) -> tuple[str, ...]:
        """Who decides now: the city's contacts, deputies for those away; () when every
        contact is away without one (coordinators when the city has no contacts)."""
        contacts = self.directory.contacts_of(s.own_city_key)
        return self.routed(session, contacts, now=now) if contacts else self.directory.coordinators

    def all_away(self, session: Session, s: Summary, *, now: datetime) -> None:
        """Every contact of the city is away without a deputy: the coordinators decide now,
        not after the escalation."""
        for user in self.directory.coordinators:
            lang = self.lang_of(user)
            message = messages.decision_request(s, self.directory, lang)
            names = join_names(
                [f"<@{u}>" for u in self.directory.contacts_of(s.own_city_key)], lang
            )
            message["blocks"][0] = section(
                t(
                    lang,
                    "all_away.escalate",
                    id=s.id,
                    user=f"<@{s.requester_id}>",
                    city=escape(self.directory.city_name(s.own_city_key)),
                    contacts=names or "–",
                )
            )
            message["text"] = messages.push(s, self.directory, lang, "push.all_away")
            tracked = ActionMessage(request_id=s.id, kind="away", user_id=user, round=s.version)
            dm(
                session,
                user,
                self.budgeted(session, s, message, lang),
                request_id=s.id,
                now=now,
                action_message=tracked,
            )

    def deputy_set(self, session: Session, absence: Absence, actor: str, *, now: datetime) -> None:
        """The deputy hears whom they stand in for, until when; the absent person too when a
        coordinator set it for them."""
        cities = [c.name for c in self.directory.cities if absence.user in c.contacts]
        if absence.deputy and absence.deputy != actor:
            lang = self.lang_of(absence.deputy)
            params = {
                "user": f"<@{absence.user}>",
                "until": fmt_date(absence.until, lang),
                "actor": f"<@{actor}>",
                "cities": escape(join_names(cities, lang)),
            }
            # Standing in for a topic contact only: namings, no decisions of a city.
            key = "deputy.told" if cities else "deputy.told_naming"
            message = messages.plain_message(
                t(lang, key, **params), messages.plain_t(lang, key, **params)
            )
            dm(session, absence.deputy, message, request_id=None, now=now)
        if absence.user != actor:
            lang = self.lang_of(absence.user)
            key = "deputy.set" if absence.deputy else "deputy.away"
            params = {
                "user": f"<@{absence.user}>",
                "deputy": f"<@{absence.deputy}>",
                "until": fmt_date(absence.until, lang),
            }
            message = messages.plain_message(
                t(lang, key, **params), messages.plain_t(lang, key, **params)
            )
            dm(session, absence.user, message, request_id=None, now=now)
        refresh_home(session, absence.user, now=now)

    def deputy_ended(
        self, session: Session, absence: Absence, actor: str, *, now: datetime
    ) -> None:
        """The deputy and the absent person hear who ended it (unless they ended it)."""
        for user in {absence.deputy, absence.user} - {actor, None}:
            assert user is not None
            lang = self.lang_of(user)
            params = {"user": f"<@{absence.user}>", "actor": f"<@{actor}>"}
            key = "deputy.ended_own" if actor == absence.user else "deputy.ended_by"
            message = messages.plain_message(
                t(lang, key, **params), messages.plain_t(lang, key, **params)
            )
            dm(session, user, message, request_id=None, now=now)
        refresh_home(session, absence.user, now=now)
        if absence.deputy:
            refresh_home(session, absence.deputy, now=now)

    def budgeted(
        self, session: Session, s: Summary, message: messages.Message, lang: str
    ) -> messages.Message:
        """A decision message with the request's budget lines (none in a year without);
        worked out once per request and version in the transaction, however many copies."""
        lines: dict[tuple[int, int], BudgetLine | None] = session.info.setdefault("budget", {})
        key = (s.id, s.version)
        if key not in lines:
            lines[key] = budget_line(session, self.directory, s)
        return with_budget(message, lines[key], self.directory, lang)

    def over_budget(
        self, session: Session, s: Summary, line: BudgetLine, actor: str, *, now: datetime
    ) -> None:
        """A contact's approval would exceed the budget: the coordinators get the request
        with the decision buttons and the figures."""
        for user in self.directory.coordinators:
            lang = self.lang_of(user)
            message = messages.decision_request(s, self.directory, lang)
            message["blocks"][0] = section(
                t(
                    lang,
                    "budget.referred",
                    id=s.id,
                    actor=f"<@{actor}>",
                    user=f"<@{s.requester_id}>",
                )
            )
            message["text"] = messages.push(s, self.directory, lang, "push.budget_referred")
            tracked = ActionMessage(request_id=s.id, kind="budget", user_id=user, round=s.version)
            dm(
                session,
                user,
                with_budget(message, line, self.directory, lang),
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
        render: Render | None = None,
    ) -> list[ActionMessage]:
        """Update every open copy of the request's button messages to show the outcome
        (`render` may draw a message of its own for some of them). The confirmation DM has
        its own update (`confirmation`)."""
        query = select(ActionMessage).where(
            ActionMessage.request_id == s.id,
            col(ActionMessage.closed).is_(False),
            ActionMessage.kind != CONFIRMATION,
        )
        if kinds:
            query = query.where(col(ActionMessage.kind).in_(kinds))
        if city_key:
            query = query.where(ActionMessage.city_key == city_key)
        if user_id:
            query = query.where(ActionMessage.user_id == user_id)
        closed = list(session.exec(query.order_by(col(ActionMessage.id))).all())
        for message in closed:
            lang = s.locale if message.user_id == s.requester_id else self.lang_of(message.user_id)
            shown = render(message, lang) if render else None
            if shown is None:
                shown = messages.closed_message(s, self.directory, lang, outcome(lang))
            enqueue(
                session,
                "chat.update",
                shown,
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
        on_behalf_of: str | None = None,
    ) -> None:
        """Close every copy of the decision message; tell the requester; on approval ask the
        partner cities for experts and let the other coordinators know. A deputy's decision
        says whom they stood in for."""
        outcome = self.outcome(action, actor, now, comment)
        if on_behalf_of:
            outcome = self.for_user(outcome, on_behalf_of)
        lang = s.locale
        mention = f"<@{actor}>"
        told = actor != s.requester_id  # a contact deciding on their own request knows
        # The news first, then the copies and the confirmation: the requester hears first.
        if action == Action.APPROVE:
            if told:
                self.tell_requester(session, s, "dm.approved", actor=mention, now=now)
            self.close_messages(session, s, outcome, now=now, kinds=DECIDING)
            self.confirmation(session, s, now=now)
            self.naming_needed(session, s, now=now)
            for user in self.directory.coordinators:
                if user == actor:
                    continue
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
            if told:
                message = messages.declined_for_requester(
                    s, self.directory, lang, actor, comment or ""
                )
                dm(session, s.requester_id, message, request_id=s.id, now=now)
            self.close_messages(session, s, outcome, now=now, kinds=DECIDING)
            self.confirmation(session, s, now=now, outcome=outcome(lang))
        elif action == Action.ASK:
            message = messages.question_for_requester(s, self.directory, lang, actor, comment or "")
            tracked = ActionMessage(
                request_id=s.id, kind="question", user_id=s.requester_id, round=s.version
            )
            dm(session, s.requester_id, message, request_id=s.id, now=now, action_message=tracked)
            self.close_messages(session, s, outcome, now=now, kinds=DECIDING)
            self.confirmation(session, s, now=now)

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
                self.routed(session, self.directory.naming_contacts(city, s.topic_key), now=now)
                or self.directory.coordinators
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
        """After an answer or an edit: old messages point to the new one; contacts decide anew.

        The requester's question DM keeps her question and answer and says what happens now.
        """
        action = "answer" if answer else "edit"
        city = escape(self.directory.city_name(s.own_city_key))

        def render(message: ActionMessage, lang: str) -> messages.Message | None:
            if message.kind != "question":
                return None
            key = "outcome.answered_self" if answer else "outcome.edited_self"
            outcome = t(lang, key, when=messages.when(now, lang, self.tz), city=city)
            return messages.question_answered(s, self.directory, lang, outcome, answer)

        outcome = self.outcome(action, s.requester_id, now)
        self.close_messages(session, s, outcome, now=now, render=render)
        deciders = self.routed_deciders(session, s, now=now)
        if not deciders:
            self.all_away(session, s, now=now)
        for user in deciders:
            tracked = ActionMessage(request_id=s.id, kind="decision", user_id=user, round=s.version)
            lang = self.lang_of(user)
            message = messages.decision_request(
                s, self.directory, lang, answer=answer, resubmitted=True
            )
            message = self.budgeted(session, s, message, lang)
            dm(session, user, message, request_id=s.id, now=now, action_message=tracked)
        self.confirmation(session, s, now=now)

    def cancelled(
        self,
        session: Session,
        s: Summary,
        actor: str,
        *,
        now: datetime,
    ) -> None:
        """Every open message is updated; everyone who had one (and the experts) is told,
        except whoever withdrew it; the requester's confirmation DM shows it."""
        outcome = self.outcome("cancel", actor, now)
        closed = self.close_messages(session, s, outcome, now=now)
        experts = session.exec(select(Expert.user_id).where(Expert.request_id == s.id)).all()
        told = {m.user_id for m in closed if m.kind != "question"} | set(experts)
        title = escape(clip(s.title, 120))
        for user in sorted(told - {s.requester_id, actor}):
            params = {"id": s.id, "title": title, "actor": f"<@{actor}>"}
            lang = self.lang_of(user)
            message = messages.plain_message(
                t(lang, "dm.cancelled_contact", **params),
                messages.plain_t(lang, "dm.cancelled_contact", **params),
            )
            dm(session, user, message, request_id=s.id, now=now)
        if actor != s.requester_id:
            self.tell_requester(session, s, "dm.cancelled", actor=f"<@{actor}>", now=now)
        self.confirmation(session, s, now=now, outcome=outcome(s.locale))

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
        on_behalf_of: str | None = None,
    ) -> None:
        """Close this city's naming messages; when every partner city has named its experts,
        introduce everyone in one group DM and tell the requester who they are. A deputy's
        naming says whom they stood in for (after who named, before the names)."""

        def outcome(lang: str) -> str:
            names = messages.mentions(experts, lang)
            line = messages.outcome_line("name", actor, now, lang, self.tz)
            if on_behalf_of:
                line += t(lang, "outcome.for", user=f"<@{on_behalf_of}>")
            line += f": {names}"
            return line if matched else line + "\n" + t(lang, "outcome.named_waiting")

        self.close_messages(session, s, outcome, now=now, kinds=("naming",), city_key=city_key)
        if matched:
            self.all_named(session, s, now=now)

    def named(self, session: Session, s: Summary) -> tuple[Named, list[tuple[str, str]]]:
        """Who named which experts, per partner city in the request's order; and their notes."""
        rows = session.exec(
            select(Expert).where(Expert.request_id == s.id).order_by(col(Expert.id))
        ).all()
        named: Named = []
        notes: list[tuple[str, str]] = []
        for city in s.partner_keys:
            mine = [e for e in rows if e.city_key == city]
            if mine:
                named.append((city, [e.user_id for e in mine], mine[0].named_by))
                if mine[0].note:
                    notes.append((city, mine[0].note))
        return named, notes

    def introduce(
        self,
        session: Session,
        s: Summary,
        named: Named,
        notes: list[tuple[str, str]],
        *,
        now: datetime,
    ) -> OutboxMessage:
        """One group DM of the requester, every expert and the contacts who named them.

        Opened once, when the experts are complete: conversations.open with other members
        would be another conversation."""
        members = [s.requester_id]
        for _city, experts, _contact in named:
            members += experts
        members += [contact for _city, _experts, contact in named]
        intro = self.introduction(session, s, named, notes)
        payload = {"users": list(dict.fromkeys(members)), **intro}
        # The requester's DM links to it (thread_of=): written first, at the commit.
        return enqueue(session, GROUP_DM, payload, request_id=s.id, now=now)

    def introduction(
        self, session: Session, s: Summary, named: Named, notes: list[tuple[str, str]]
    ) -> messages.Message:
        """The introduction with the agreement (goals, offers, dates, place, confirmations).
        Several people read it together: the network's language."""
        from bot.usecases.agreement import agreement_of

        intro = messages.introduction(s, self.directory, self.network_lang, named, notes)
        agreement = agreement_of(session, s)
        intro["blocks"] += agreement_blocks(agreement, self.directory, self.network_lang)
        return intro

    def agreement_confirmed(
        self,
        session: Session,
        s: Summary,
        *,
        channel: str,
        ts: str,
        now: datetime,
    ) -> None:
        """The introduction (at channel/ts) again, now showing who confirmed."""
        named, notes = self.named(session, s)
        intro = self.introduction(session, s, named, notes)
        enqueue(session, "chat.update", {"channel": channel, "ts": ts, **intro}, now=now)

    def joint_reflection(
        self,
        session: Session,
        s: Summary,
        shared: Sequence[Shared],
        *,
        answered: int,
        asked: int,
        now: datetime,
    ) -> None:
        """The reflections shared with the participants, side by side, in the group DM
        (the same members open the same conversation)."""
        named, _notes = self.named(session, s)
        if not named:  # experts found outside the bot: there is no group DM to post in
            return
        members = [s.requester_id]
        for _city, experts, _contact in named:
            members += experts
        members += [contact for _city, _experts, contact in named]
        message = reflections.joint_reflection(
            s, shared, self.directory, self.network_lang, answered=answered, asked=asked
        )
        payload = {"users": list(dict.fromkeys(members)), **message}
        enqueue(session, GROUP_DM, payload, request_id=s.id, now=now)

    def follow_up(self, session: Session, s: Summary, *, now: datetime) -> None:
        """Day 45: the requester is asked once whether they put any of it into practice."""
        message = reflections.follow_up_question(s, s.locale)
        dm(session, s.requester_id, message, request_id=s.id, now=now)

    def lessons(
        self,
        session: Session,
        grouped: Sequence[tuple[Summary, Sequence[Lesson]]],
        channel: str,
        lang: str,
        *,
        now: datetime,
    ) -> None:
        """ "Aus der Reflexion" in the digest channel."""
        message = reflections.lessons_post(grouped, self.directory, lang)
        enqueue(
            session, "chat.postMessage", {"channel": channel, "unfurl_links": False, **message},
            now=now,
        )  # fmt: skip

    def all_named(self, session: Session, s: Summary, *, now: datetime) -> None:
        """Every partner city named its experts: the request is matched."""
        named, notes = self.named(session, s)

        def outcome(lang: str) -> str:
            line = t(lang, "outcome.matched_all", when=messages.when(now, lang, self.tz))
            return line + "\n" + messages.experts_by_city(self.directory, lang, named)

        self.close_messages(session, s, outcome, now=now)
        intro = self.introduce(session, s, named, notes, now=now)
        message = messages.matched_for_requester(s, self.directory, s.locale, named)
        # Sent after the group DM is posted, with the link to its introduction filled in.
        enqueue(
            session,
            "chat.postMessage",
            {"channel": s.requester_id, **message, LINK_PARENT: True},
            request_id=s.id,
            thread_of=intro,
            now=now,
        )
        self.confirmation(session, s, now=now)
        self.calendar_files(session, s, now=now)

    def request_matched(
        self,
        session: Session,
        s: Summary,
        actor: str,
        *,
        now: datetime,
    ) -> None:
        """A coordinator marked the request matched (experts found outside the bot)."""
        self.close_messages(session, s, self.outcome("match", actor, now), now=now)
        named, notes = self.named(session, s)
        if named:  # experts some cities named in the bot meet in the group DM too
            self.introduce(session, s, named, notes, now=now)
        if actor != s.requester_id:
            self.tell_requester(session, s, "dm.matched_marked", actor=f"<@{actor}>", now=now)
        self.confirmation(session, s, now=now)
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
        """The decision is pending for `days` working days: remind the contacts, with the
        decision buttons right in the reminder (closed with the other copies)."""
        for user in self.routed_deciders(session, s, now=now):
            tracked = ActionMessage(request_id=s.id, kind="reminder", user_id=user, round=s.version)
            lang = self.lang_of(user)
            message = messages.reminder(s, self.directory, lang, days, ESCALATE_AFTER_WORKING_DAYS)
            message = self.budgeted(session, s, message, lang)
            dm(session, user, message, request_id=s.id, now=now, action_message=tracked)

    def escalation(self, session: Session, s: Summary, days: int, *, now: datetime) -> None:
        """Pending for `days` working days: the coordinators get the decision buttons (unless
        they have had them since it came in, every contact of the city being away)."""
        already_theirs = session.exec(
            select(ActionMessage.id).where(
                ActionMessage.request_id == s.id,
                ActionMessage.kind == "away",
                ActionMessage.round == s.version,
            )
        ).first()
        if already_theirs is not None:
            return
        for user in self.directory.coordinators:
            tracked = ActionMessage(
                request_id=s.id, kind="escalation", user_id=user, round=s.version
            )
            lang = self.lang_of(user)
            dm(
                session,
                user,
                self.budgeted(session, s, messages.escalation(s, self.directory, lang, days), lang),
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

    def completed(self, session: Session, s: Summary, *, now: datetime) -> None:
        """The exchange is over: the requester's confirmation DM says so and loses its
        withdraw button; a coordinator's "mark as matched" copy closes too. Reflection
        prompts stay open: people may still reflect."""
        self.confirmation(session, s, now=now)
        self.close_messages(
            session,
            s,
            lambda lang: t(lang, "outcome.complete", when=messages.when(now, lang, self.tz)),
            now=now,
            kinds=("coordination", "naming"),
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
            if first is None:  # the thread's later messages refer to the first row
                first = row
