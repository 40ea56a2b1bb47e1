"""The matching conversation: experts named, everyone introduced in one group DM with the
agreement, the calendar files, and the exchange completed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.request import Summary
from bot.domain.routing import Introduction
from bot.outbox import FILE_DM, GROUP_DM, LINK_PARENT
from bot.slack import messages
from bot.slack.agreement import agreement_blocks
from bot.slack.certificate import COMPLETED, certificate_row
from bot.slack.notify.base import NotifierBase, Outbox, Track, dm
from bot.slack.notify.ending import INTRODUCTION
from bot.texts import t


class MatchingNotifier(NotifierBase):
    def experts_named(
        self,
        session: object,
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
        """Close this city's naming messages (and reminders); when every partner city has
        named its experts, introduce everyone in one group DM and tell the requester who they
        are; until then her confirmation DM says which cities are still to name (`waiting`).
        A deputy's naming says whom they stood in for (after who named, before the names)."""
        out = self.outbox(session, now)
        self.coordination_changed(out)

        def outcome(lang: str) -> str:
            names = messages.mentions(experts, lang)
            line = messages.outcome_line("name", actor, now, lang, self.tz)
            if on_behalf_of:
                line += t(lang, "outcome.for", user=f"<@{on_behalf_of}>")
            line += f": {names}"
            return line if matched else line + "\n" + t(lang, "outcome.named_waiting")

        self.close_messages(out, s, outcome, kinds=("naming", "naming_reminder"), city_key=city_key)
        # Each expert hears who named them, for what and when (not one who named themselves).
        for expert in dict.fromkeys(experts):
            if expert != actor:
                message = messages.expert_named(
                    s,
                    self.directory,
                    self.lang_of(expert),
                    actor=actor,
                    city_key=city_key,
                    matched=matched is not None,
                )
                dm(out, expert, message, request_id=s.id)
        if matched:
            self.all_named(out, s, matched, now=now)
        elif waiting is not None:
            self.confirmation(out, s, waiting=waiting)

    def introduce(self, out: Outbox, s: Summary, introduction: Introduction) -> object:
        """One group DM of the requester, every expert and the contacts who named them.

        Opened once, when the experts are complete: conversations.open with other members
        would be another conversation."""
        intro = self.introduction(s, introduction)
        payload = {"users": introduction.experts.members(s.requester_id), **intro}
        # The requester's DM links to it (thread_of=): written first, at the commit. Tracked:
        # a withdrawal redraws it without the agreement button (`EndingNotifier.close_all`).
        track = Track(INTRODUCTION, s.requester_id, s.version)
        return out.post(GROUP_DM, payload, request_id=s.id, track=track)

    def introduction(self, s: Summary, introduction: Introduction) -> messages.Message:
        """The introduction with the agreement (goals, offers, dates, place, confirmations).
        Several people read it together: the network's language."""
        experts = introduction.experts
        intro = messages.introduction(
            s, self.directory, self.network_lang, experts.named, experts.notes
        )
        intro["blocks"] += agreement_blocks(
            introduction.agreement, self.directory, self.network_lang
        )
        return intro

    def agreement_confirmed(
        self,
        session: object,
        s: Summary,
        introduction: Introduction,
        *,
        channel: str,
        ts: str,
        now: datetime,
    ) -> None:
        """The introduction (at channel/ts) again, now showing who confirmed."""
        intro = self.introduction(s, introduction)
        self.outbox(session, now).post("chat.update", {"channel": channel, "ts": ts, **intro})

    def all_named(
        self, out: Outbox, s: Summary, introduction: Introduction, *, now: datetime
    ) -> None:
        """Every partner city named its experts: the request is matched."""
        named = introduction.experts.named

        def outcome(lang: str) -> str:
            line = t(lang, "outcome.matched_all", when=messages.when(now, lang, self.tz))
            return line + "\n" + messages.experts_by_city(self.directory, lang, named)

        self.close_messages(out, s, outcome)
        intro = self.introduce(out, s, introduction)
        message = messages.matched_for_requester(s, self.directory, s.locale, named)
        # Sent after the group DM is posted, with the link to its introduction filled in.
        out.post(
            "chat.postMessage",
            {"channel": s.requester_id, **message, LINK_PARENT: True},
            request_id=s.id,
            thread_of=intro,
        )
        self.confirmation(out, s)
        self.calendar_files(out, s, introduction.experts.everyone, now=now)

    def request_matched(
        self,
        session: object,
        s: Summary,
        actor: str,
        *,
        introduction: Introduction,
        now: datetime,
    ) -> None:
        """A coordinator marked the request matched (experts found outside the bot)."""
        out = self.outbox(session, now)
        self.coordination_changed(out)
        self.close_messages(out, s, self.outcome("match", actor, now))
        if introduction.experts.named:  # experts some cities named in the bot meet too
            self.introduce(out, s, introduction)
        if actor != s.requester_id:
            self.tell_requester(out, s, "dm.matched_marked", actor=f"<@{actor}>")
        self.confirmation(out, s)
        self.calendar_files(out, s, introduction.experts.everyone, now=now)

    def calendar_files(
        self, out: Outbox, s: Summary, experts: tuple[str, ...], *, now: datetime
    ) -> None:
        """Requester and experts get the exchange as an .ics file in their DM."""
        from bot.domain.calendar import exchange_ics  # icalendar is only needed here

        for user in dict.fromkeys([s.requester_id, *experts]):
            lang = s.locale if user == s.requester_id else self.lang_of(user)
            content = exchange_ics(
                s,
                self.directory,
                tz=self.tz,
                title=t(lang, "fmt.event_title", title=s.title),
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
            out.post(FILE_DM, payload, request_id=s.id)

    def completed(
        self, session: object, s: Summary, *, now: datetime, experts: Sequence[str] = ()
    ) -> None:
        """The exchange is over: the requester's confirmation DM says so and loses its
        withdraw button; a coordinator's "mark as matched" copy closes too. Reflection
        prompts stay open: people may still reflect. The requester and every expert get
        their certificate of participation as a file in their DM, its comment saying what it
        is and that the Home tab has it again (one message: no separate button)."""
        out = self.outbox(session, now)
        for user in dict.fromkeys([s.requester_id, *experts]):
            lang = s.locale if user == s.requester_id else self.lang_of(user)
            certificate_row(out, s, user, lang, COMPLETED)
        self.confirmation(out, s)
        self.close_messages(
            out,
            s,
            lambda lang: t(lang, "outcome.complete", when=messages.when(now, lang, self.tz)),
            kinds=("coordination", "naming"),
        )
