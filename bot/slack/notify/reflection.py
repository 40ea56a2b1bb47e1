"""The reflection conversation: prompts, thanks, the joint reflection in the group DM, the
day-45 question and the digest channel's "Aus der Reflexion"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.domain.reflection import Lesson, Shared
from bot.domain.request import Summary
from bot.domain.routing import Experts
from bot.outbox import GROUP_DM
from bot.slack import messages, reflections
from bot.slack.notify.base import NotifierBase, Track, dm
from bot.texts import fmt_date, t

FOLLOW_UP = "followup"  # the day-45 question, with its answer buttons


class ReflectionNotifier(NotifierBase):
    def reflection_prompt(
        self, session: object, s: Summary, experts: list[str], *, now: datetime
    ) -> None:
        """The day after the exchange: requester and experts are asked to reflect."""
        out = self.outbox(session, now)
        for user in dict.fromkeys([s.requester_id, *experts]):
            lang = s.locale if user == s.requester_id else self.lang_of(user)
            dm(
                out,
                user,
                messages.reflection_prompt(s, lang),
                request_id=s.id,
                track=Track("reflection", user, 1),
            )

    def reflection_reminder(
        self, session: object, s: Summary, users: list[str], asked_at: datetime, *, now: datetime
    ) -> None:
        """Once, a week after the prompt: whoever has not reflected is asked again, with the
        button (closed like the prompt's once they have)."""
        out = self.outbox(session, now)
        for user in users:
            lang = s.locale if user == s.requester_id else self.lang_of(user)
            asked_on = fmt_date(asked_at.astimezone(self.tz).date(), lang)
            dm(
                out,
                user,
                messages.reflection_prompt(s, lang, asked_on=asked_on),
                request_id=s.id,
                track=Track("reflection", user, 2),
            )

    def reflected(self, session: object, s: Summary, user: str, *, now: datetime) -> None:
        """Thank the person: their reflection message loses its button."""
        tz = self.tz

        def outcome(lang: str) -> str:
            return t(lang, "outcome.reflected", when=messages.when(now, lang, tz))

        out = self.outbox(session, now)
        self.close_messages(out, s, outcome, kinds=("reflection",), user_id=user)

    def joint_reflection(
        self,
        session: object,
        s: Summary,
        shared: Sequence[Shared],
        *,
        experts: Experts,
        answered: int,
        asked: int,
        now: datetime,
    ) -> None:
        """The reflections shared with the participants, side by side, in the group DM
        (the same members open the same conversation)."""
        if not experts.named:  # experts found outside the bot: there is no group DM to post in
            return
        message = reflections.joint_reflection(
            s, shared, self.directory, self.network_lang, answered=answered, asked=asked
        )
        payload = {"users": experts.members(s.requester_id), **message}
        self.outbox(session, now).post(GROUP_DM, payload, request_id=s.id)

    def follow_up(self, session: object, s: Summary, *, now: datetime) -> None:
        """Day 45: the requester is asked once whether they put any of it into practice
        (the days since the end counted: a weekend or a bot away makes it later)."""
        days = (now.astimezone(self.tz).date() - s.date_to).days
        message = reflections.follow_up_question(s, s.locale, days)
        track = Track(FOLLOW_UP, s.requester_id, 1)
        dm(self.outbox(session, now), s.requester_id, message, request_id=s.id, track=track)

    def followed_up(self, session: object, s: Summary, answer: str, *, now: datetime) -> None:
        """The requester answered the day-45 question: its buttons close, showing the answer."""
        tz = self.tz

        def outcome(lang: str) -> str:
            answered = t(lang, f"followup.{answer}")
            return t(
                lang, "outcome.followed_up", answer=answered, when=messages.when(now, lang, tz)
            )

        out = self.outbox(session, now)
        self.close_messages(out, s, outcome, kinds=(FOLLOW_UP,), user_id=s.requester_id)

    def lessons(
        self,
        session: object,
        grouped: Sequence[tuple[Summary, Sequence[Lesson]]],
        channel: str,
        lang: str,
        *,
        now: datetime,
    ) -> None:
        """ "Aus der Reflexion" in the digest channel."""
        message = reflections.lessons_post(grouped, self.directory, lang)
        payload = {"channel": channel, "unfurl_links": False, **message}
        self.outbox(session, now).post("chat.postMessage", payload)
