"""The deciding conversation: a request filed, decided, asked about, answered, edited,
withdrawn; reminders and escalations; requests over budget."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.domain.attention import starts_soon
from bot.domain.budget import BudgetLine
from bot.domain.request import Summary
from bot.domain.routing import Introduction
from bot.domain.schedule import ESCALATE_AFTER_WORKING_DAYS
from bot.domain.states import Action
from bot.slack import messages
from bot.slack.blocks import escape, section
from bot.slack.budget import with_budget
from bot.slack.history import with_history
from bot.slack.messages import overdue
from bot.slack.notify.base import CONFIRMATION, DECIDING, Outbox, Track, Tracked, dm
from bot.slack.notify.ending import EndingNotifier
from bot.texts import fmt_range, join_names, t

People = tuple[str, ...]


class DecidingNotifier(EndingNotifier):
    def request_filed(
        self,
        session: object,
        s: Summary,
        *,
        deciders: People,
        budget: BudgetLine | None,
        now: datetime,
    ) -> None:
        """Tell the requester their request number (the DM is kept up to date: the
        `confirmation`); every decider gets the request with the decision buttons."""
        out = self.outbox(session, now)
        dm(
            out,
            s.requester_id,
            messages.request_filed(s, self.directory, s.locale),
            request_id=s.id,
            track=Track(CONFIRMATION, s.requester_id),
        )
        self.decision_needed(out, s, deciders, budget)
        if starts_soon(s.date_from, now.astimezone(self.tz).date()):
            self.coordination_changed(out)

    def decision_needed(
        self, out: Outbox, s: Summary, deciders: People, budget: BudgetLine | None
    ) -> None:
        """Every decider (a contact of the requester's own city, or a deputy instead of a
        contact away) gets the request with the decision buttons; the coordinators when
        nobody is left."""
        if not deciders:
            self.all_away(out, s, budget)
        for user in deciders:
            lang = self.lang_of(user)
            message = messages.decision_request(s, self.directory, lang)
            dm(
                out,
                user,
                with_budget(message, budget, self.directory, lang),
                request_id=s.id,
                track=Track("decision", user, s.version),
            )

    def all_away(self, out: Outbox, s: Summary, budget: BudgetLine | None) -> None:
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
            message = with_history(with_budget(message, budget, self.directory, lang), s.id, lang)
            dm(out, user, message, request_id=s.id, track=Track("away", user, s.version))

    def over_budget(
        self, session: object, s: Summary, line: BudgetLine, actor: str, *, now: datetime
    ) -> None:
        """A contact's approval would exceed the budget: the coordinators get the request
        with the decision buttons and the figures."""
        out = self.outbox(session, now)
        self.referred(out, s, line, actor, now=now)
        self.coordination_changed(out)
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
            message = with_history(with_budget(message, line, self.directory, lang), s.id, lang)
            dm(out, user, message, request_id=s.id, track=Track("budget", user, s.version))

    def referred(
        self, out: Outbox, s: Summary, line: BudgetLine, actor: str, *, now: datetime
    ) -> None:
        """Over budget the coordinators decide: the contacts' copies say so and lose their
        buttons; the requester hears that it now lies with the coordination, and her
        confirmation DM names who decides."""
        self.close_messages(
            out, s, self.outcome("referred", actor, now), kinds=("decision", "reminder")
        )
        if actor != s.requester_id:  # a contact deciding on their own request was told
            coordinators = messages.mentions(self.directory.coordinators, s.locale)
            self.tell_requester(
                out,
                s,
                "dm.budget_referred",
                actor=f"<@{actor}>",
                year=str(line.year),
                coordinators=coordinators,
            )
        self.confirmation(out, s, referred=True)

    def decision_made(
        self,
        session: object,
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
        """Close every copy of the decision message; tell the requester; on approval ask the
        partner cities for experts and let the other coordinators know. A deputy's decision
        says whom they stood in for; a coordinator's approval over budget says so."""
        out = self.outbox(session, now)
        self.coordination_changed(out)
        key = "approve_over_budget" if over_budget and action == Action.APPROVE else action
        outcome = self.outcome(key, actor, now, comment)
        if on_behalf_of:
            outcome = self.for_user(outcome, on_behalf_of)
        lang = s.locale
        # The requester reads whom a deputy stood in for, as the contacts do.
        mention = messages.who_acted(actor, lang, on_behalf_of)
        told = actor != s.requester_id  # a contact deciding on their own request knows
        # The news first, then the copies and the confirmation: the requester hears first.
        if action == Action.APPROVE:
            if told:
                self.tell_requester(out, s, "dm.approved", actor=mention)
            self.close_messages(out, s, outcome, kinds=DECIDING)
            self.confirmation(out, s)
            self.naming_needed(out, s, namers)
            for user in self.directory.coordinators:
                if user == actor:
                    continue
                coord_lang = self.lang_of(user)
                message = messages.approved_for_coordinators(s, self.directory, coord_lang, actor)
                message = with_history(message, s.id, coord_lang)
                track = Track("coordination", user, s.version)
                dm(out, user, message, request_id=s.id, track=track)
        elif action == Action.DECLINE:
            if told:
                message = messages.declined_for_requester(
                    s, self.directory, lang, actor, comment or "", for_user=on_behalf_of
                )
                dm(out, s.requester_id, message, request_id=s.id)
            self.close_messages(out, s, outcome, kinds=DECIDING)
            self.confirmation(out, s, outcome=outcome(lang))
        elif action == Action.ASK:
            message = messages.question_for_requester(
                s, self.directory, lang, actor, comment or "", for_user=on_behalf_of
            )
            track = Track("question", s.requester_id, s.version)
            dm(out, s.requester_id, message, request_id=s.id, track=track)
            self.close_messages(out, s, outcome, kinds=DECIDING)
            self.confirmation(out, s)

    def naming_needed(self, out: Outbox, s: Summary, namers: Sequence[tuple[str, People]]) -> None:
        """Each partner city's naming contacts (topic people first) are asked for experts."""
        for city, people in namers:
            for user in people:
                dm(
                    out,
                    user,
                    messages.naming_request(s, self.directory, self.lang_of(user), city),
                    request_id=s.id,
                    track=Track("naming", user, s.version, city_key=city),
                )

    def resubmitted(
        self,
        session: object,
        s: Summary,
        *,
        deciders: People,
        budget: BudgetLine | None,
        now: datetime,
        answer: tuple[str | None, str] | None = None,
    ) -> None:
        """After an answer or an edit: old messages point to the new one; contacts decide anew.

        The requester's question DM keeps her question and answer and says what happens now.
        """
        out = self.outbox(session, now)
        self.coordination_changed(out)
        action = "answer" if answer else "edit"
        city = escape(self.directory.city_name(s.own_city_key))

        def render(message: Tracked, lang: str) -> messages.Message | None:
            if message.kind != "question":
                return None
            key = "outcome.answered_self" if answer else "outcome.edited_self"
            outcome = t(lang, key, when=messages.when(now, lang, self.tz), city=city)
            return messages.question_answered(s, self.directory, lang, outcome, answer)

        outcome = self.outcome(action, s.requester_id, now)
        self.close_messages(out, s, outcome, render=render)
        if not deciders:
            self.all_away(out, s, budget)
        for user in deciders:
            lang = self.lang_of(user)
            message = messages.decision_request(
                s, self.directory, lang, answer=answer, resubmitted=True
            )
            message = with_budget(message, budget, self.directory, lang)
            dm(out, user, message, request_id=s.id, track=Track("decision", user, s.version))
        self.confirmation(out, s)

    def new_dates(
        self,
        session: object,
        s: Summary,
        before: tuple[date, date],
        *,
        deciders: People,
        budget: BudgetLine | None,
        now: datetime,
    ) -> None:
        """A request that lapsed undecided got new dates from its requester: the news of the
        lapse still held for working hours is dropped, every open message about it closes
        (and whoever held one, the coordinators with *Hat doch stattgefunden*, is told), and
        its city's contacts decide anew; the requester's confirmation shows it."""
        out = self.outbox(session, now)
        out.drop_held(s.id)
        city = escape(self.directory.city_name(s.own_city_key))

        def outcome(lang: str) -> str:
            dates = fmt_range(s.date_from, s.date_to, lang)
            moment = messages.when(now, lang, self.tz)
            actor = f"<@{s.requester_id}>"
            return t(lang, "outcome.new_dates", actor=actor, dates=dates, city=city, when=moment)

        closed = self.close_messages(out, s, outcome)
        held = {m.user_id for m in closed} - {s.requester_id} - set(deciders)
        for user in sorted(held):
            message = overdue.new_dates_news(s, self.directory, self.lang_of(user), before)
            dm(out, user, message, request_id=s.id)
        if not deciders:
            self.all_away(out, s, budget)
        for user in deciders:
            lang = self.lang_of(user)
            message = overdue.new_dates_decision(s, self.directory, lang, before)
            message = with_budget(message, budget, self.directory, lang)
            dm(out, user, message, request_id=s.id, track=Track("decision", user, s.version))
        self.confirmation(out, s)

    def cancelled(
        self,
        session: object,
        s: Summary,
        actor: str,
        *,
        experts: People,
        now: datetime,
        involved: People = (),
        introduction: Introduction | None = None,
    ) -> None:
        """Every open message is updated (the group DM's introduction loses its agreement
        button); everyone who had one, the experts and whoever else took part (`involved`)
        is told, except whoever withdrew it; the requester's confirmation DM shows it."""
        out = self.outbox(session, now)
        self.coordination_changed(out)
        outcome = self.outcome("cancel", actor, now)
        told = self.close_all(out, s, outcome, introduction) | set(experts) | set(involved)
        self.tell_the_end(out, s, "dm.cancelled_contact", told - {s.requester_id, actor}, actor)
        if actor != s.requester_id:
            self.tell_requester(out, s, "dm.cancelled", actor=f"<@{actor}>")
        self.confirmation(out, s, outcome=outcome(s.locale))

    def reminder(
        self,
        session: object,
        s: Summary,
        days: int,
        *,
        deciders: People,
        budget: BudgetLine | None,
        now: datetime,
    ) -> None:
        """The decision is pending for `days` working days: remind the deciders, with the
        decision buttons right in the reminder (closed with the other copies)."""
        out = self.outbox(session, now)
        for user in deciders:
            lang = self.lang_of(user)
            message = messages.reminder(s, self.directory, lang, days, ESCALATE_AFTER_WORKING_DAYS)
            message = with_budget(message, budget, self.directory, lang)
            dm(out, user, message, request_id=s.id, track=Track("reminder", user, s.version))

    def escalation(
        self, session: object, s: Summary, days: int, *, budget: BudgetLine | None, now: datetime
    ) -> None:
        """Pending for `days` working days: the coordinators get the decision buttons."""
        out = self.outbox(session, now)
        self.coordination_changed(out)
        for user in self.directory.coordinators:
            lang = self.lang_of(user)
            message = messages.escalation(s, self.directory, lang, days)
            message = with_history(with_budget(message, budget, self.directory, lang), s.id, lang)
            dm(out, user, message, request_id=s.id, track=Track("escalation", user, s.version))
