"""When nothing happens in time: namings followed up like decisions (the naming contacts
reminded, then the coordinators given the naming buttons), and a request that did not take
place closed for everyone who holds a message about it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain import rules
from bot.domain.request import Summary
from bot.domain.schedule import ESCALATE_AFTER_WORKING_DAYS, Reach
from bot.domain.states import Status
from bot.slack import messages
from bot.slack.history import with_history
from bot.slack.messages import overdue
from bot.slack.notify.base import NotifierBase, Outbox, Track, dm
from bot.texts import t

People = tuple[str, ...]
# The requester's own tracked messages (her question DM, the new-dates button of a request
# that lapsed undecided): she gets her own news.
_REQUESTER_KINDS = ("question", "new_dates")


class OverdueNotifier(NotifierBase):
    def naming_reminder(
        self,
        session: object,
        s: Summary,
        days: int,
        *,
        namers: Sequence[tuple[str, People]],
        now: datetime,
    ) -> None:
        """The experts are missing for `days` working days: remind each city's naming
        contacts, with the naming button right in the reminder (one message a person)."""
        out = self.outbox(session, now)
        cities_of: dict[str, list[str]] = {}
        for city, people in namers:
            for user in people:
                cities_of.setdefault(user, []).append(city)
        for user, cities in cities_of.items():
            lang = self.lang_of(user)
            message = overdue.naming_reminder(
                s, self.directory, lang, cities, days, ESCALATE_AFTER_WORKING_DAYS
            )
            # Closed with the naming of its city (when it asks for one city only).
            only = cities[0] if len(cities) == 1 else None
            track = Track("naming_reminder", user, s.version, city_key=only)
            dm(out, user, message, request_id=s.id, track=track)

    def naming_escalation(
        self, session: object, s: Summary, days: int, *, missing: Sequence[str], now: datetime
    ) -> None:
        """The experts are missing for `days` working days: the coordinators may name them."""
        out = self.outbox(session, now)
        self.coordination_changed(out)
        for user in self.directory.coordinators:
            lang = self.lang_of(user)
            message = overdue.naming_escalation(s, self.directory, lang, missing, days)
            message = with_history(message, s.id, lang)
            track = Track("naming_escalation", user, s.version)
            dm(out, user, message, request_id=s.id, track=track)

    def lapsed(
        self,
        session: object,
        s: Summary,
        previous: Status,
        *,
        missing: Sequence[str],
        experts: People,
        now: datetime,
        reach: Reach | None = None,
    ) -> None:
        """Its first day came before it was decided (`missing` empty) or before every
        partner city named its experts: every open message about it closes at once; the
        requester, everyone who held one and the experts named so far hear it once, in their
        language, in their working hours (`reach`). The coordinators among them may still
        mark it as having taken place (any coordinator may, from Home)."""
        out = self.outbox(session, now)
        self.coordination_changed(out)
        unnamed = missing if previous == Status.APPROVED else ()

        def when(user: str) -> datetime | None:
            return reach.at(user, now) if reach is not None else None

        def outcome(lang: str) -> str:
            reason = overdue.lapse_reason(s, self.directory, lang, unnamed)
            return t(lang, "outcome.lapsed", when=messages.when(now, lang, self.tz), reason=reason)

        closed = self.close_messages(out, s, outcome)
        lang = s.locale
        reason = overdue.lapse_reason(s, self.directory, lang, unnamed)
        key = "lapse.requester_unnamed" if unnamed else "lapse.requester"
        # Undecided, it may get new dates (approved, its approval and namings were for these).
        new_dates = rules.may_give_new_dates(Status.LAPSED, s.decided_by)
        dm(
            out,
            s.requester_id,
            overdue.lapsed_message(s, self.directory, lang, key, reason, new_dates=new_dates),
            request_id=s.id,
            track=Track("new_dates", s.requester_id, s.version) if new_dates else None,
            not_before=when(s.requester_id),
        )
        held = {m.user_id for m in closed if m.kind not in _REQUESTER_KINDS}
        for user in sorted((held | set(experts)) - {s.requester_id}):
            lang = self.lang_of(user)
            reason = overdue.lapse_reason(s, self.directory, lang, unnamed)
            if self.directory.is_coordinator(user):
                message = overdue.lapsed_message(
                    s, self.directory, lang, "lapse.coordinator", reason, button_for=True
                )
                message = with_history(message, s.id, lang)
                track = Track("lapsed", user, s.version)
                dm(out, user, message, request_id=s.id, track=track, not_before=when(user))
            else:
                message = overdue.lapsed_message(s, self.directory, lang, "lapse.contact", reason)
                dm(out, user, message, request_id=s.id, not_before=when(user))
        self.confirmation(out, s, outcome=outcome(s.locale))
        self._refresh_coordinators(out)

    def took_place(
        self,
        session: object,
        s: Summary,
        actor: str,
        *,
        now: datetime,
    ) -> None:
        """A coordinator marked a lapsed exchange as having taken place: the coordinators'
        copies close (and their Home's entry), the requester hears it (and that her
        reflection will be asked)."""
        out = self.outbox(session, now)
        # The news that it did not take place, still waiting for working hours, is stale.
        out.drop_held(s.id)
        self.close_messages(out, s, self.outcome("took_place", actor, now))
        if actor != s.requester_id:
            self.tell_requester(out, s, "dm.took_place", actor=f"<@{actor}>")
        self.confirmation(out, s)
        self._refresh_coordinators(out)

    def _refresh_coordinators(self, out: Outbox) -> None:
        """Every coordinator's Home lists the lapsed requests (to mark one as having taken
        place), whether they were told of it or not."""
        for user in self.directory.coordinators:
            out.refresh_home(user)
