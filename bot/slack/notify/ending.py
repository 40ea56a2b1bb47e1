"""How a request ends for everybody: every open message about it is closed (the group DM's
introduction drawn again without the agreement button, with the outcome), and everybody
who held one or took part (experts, the contacts who named them, the contact who decided,
the coordinators who were involved) is told in their language. Withdrawals use it; any
other end (a lapse) may too."""

from __future__ import annotations

from collections.abc import Iterable

from bot.domain.request import Summary
from bot.domain.routing import Introduction
from bot.slack import messages
from bot.slack.agreement import agreement_blocks
from bot.slack.blocks import clip, escape, section
from bot.slack.notify.base import NotifierBase, Outbox, Outcome, Tracked, dm
from bot.texts import t

# The group DM's introduction with the agreement: tracked so that an end redraws it.
INTRODUCTION = "introduction"


class EndingNotifier(NotifierBase):
    def close_all(
        self, out: Outbox, s: Summary, outcome: Outcome, introduction: Introduction | None
    ) -> set[str]:
        """Close every open message of the request (the introduction redrawn with
        `introduction`, the agreement without its button); who held one (the requester's
        own question DM not counted)."""

        def render(message: Tracked, lang: str) -> messages.Message | None:
            if message.kind != INTRODUCTION or introduction is None:
                return None
            return self.introduction_closed(s, introduction, outcome)

        closed = self.close_messages(out, s, outcome, render=render)
        return {m.user_id for m in closed if m.kind not in ("question", INTRODUCTION)}

    def introduction_closed(
        self, s: Summary, introduction: Introduction, outcome: Outcome
    ) -> messages.Message:
        """The introduction after the end: the outcome on top, the agreement closed."""
        lang = self.network_lang
        experts = introduction.experts
        intro = messages.introduction(s, self.directory, lang, experts.named, experts.notes)
        intro["blocks"] = [
            section(outcome(lang)),
            *intro["blocks"],
            *agreement_blocks(introduction.agreement, self.directory, lang),
        ]
        return intro

    def tell_the_end(
        self, out: Outbox, s: Summary, key: str, people: Iterable[str], actor: str
    ) -> None:
        """Each of `people` gets text `key` ({id}, {title}, {actor}) in their language."""
        title = escape(clip(s.title, 120))
        for user in sorted(set(people)):
            params = {"id": s.id, "title": title, "actor": f"<@{actor}>"}
            lang = self.lang_of(user)
            message = messages.plain_message(
                t(lang, key, **params), messages.plain_t(lang, key, **params)
            )
            dm(out, user, message, request_id=s.id)
