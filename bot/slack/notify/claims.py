"""The claims conversation: the requester asked for the actual costs, the coordinators'
copies with the step buttons, and the news of each step."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.domain.claims import Claim, ClaimStatus
from bot.domain.request import Summary
from bot.slack import claims as claim_messages
from bot.slack import messages
from bot.slack.blocks import section
from bot.slack.history import with_history
from bot.slack.notify.base import NotifierBase, Track, dm
from bot.texts import fmt_date, t

PROMPT = "claim_ask"  # the requester's prompt (and the question DM with its button)
COPY = "claim"  # the coordinators' copies with the step buttons


class ClaimsNotifier(NotifierBase):
    def claim_prompt(self, session: object, s: Summary, *, now: datetime) -> None:
        """Together with the reflection prompt: the requester is asked for the actual costs."""
        message = claim_messages.claim_prompt(s, s.locale)
        track = Track(PROMPT, s.requester_id, 1)
        dm(self.outbox(session, now), s.requester_id, message, request_id=s.id, track=track)

    def claim_reminder(
        self, session: object, s: Summary, asked_at: datetime, *, now: datetime
    ) -> None:
        """Once, a week after the prompt: the requester is asked again, with the button
        (closed like the prompt's once they claim)."""
        asked_on = fmt_date(asked_at.astimezone(self.tz).date(), s.locale)
        message = claim_messages.claim_prompt(s, s.locale, asked_on=asked_on)
        # Round 0: the prompt is round 1, a question's DM the claim's version (3 or more).
        track = Track(PROMPT, s.requester_id, 0)
        dm(self.outbox(session, now), s.requester_id, message, request_id=s.id, track=track)

    def claim_outcome(self, status: str, actor: str, now: datetime, lang: str) -> str:
        return t(
            lang,
            f"outcome.claim_{status}",
            actor=f"<@{actor}>",
            when=messages.when(now, lang, self.tz),
        )

    def claim_submitted(self, session: object, s: Summary, claim: Claim, *, now: datetime) -> None:
        """The requester is thanked (their prompt loses its button); every coordinator gets
        the claim with the buttons."""
        out = self.outbox(session, now)
        self.coordination_changed(out)
        for message in out.open(s.id, (PROMPT,)):
            outcome = self.claim_outcome(ClaimStatus.CLAIMED, s.requester_id, now, s.locale)
            push = messages.push(s, self.directory, s.locale, "push.claim_claimed")
            closed = {"text": push, "blocks": [section(outcome)]}
            out.update(message, closed, request_id=s.id, close=True)
        thanks = claim_messages.claim_news(s, s.locale, "claim.thanks", claim, s.requester_id)
        dm(out, s.requester_id, thanks, request_id=s.id)
        for user in self.directory.coordinators:
            lang = self.lang_of(user)
            copy = claim_messages.claim_for_coordinators(s, self.directory, lang, claim)
            copy = with_history(copy, s.id, lang)
            dm(out, user, copy, request_id=s.id, track=Track(COPY, user, claim.version))

    def claim_stepped(
        self,
        session: object,
        s: Summary,
        claim: Claim,
        actor: str,
        *,
        now: datetime,
        question: str | None = None,
    ) -> None:
        """Every coordinator's copy shows who did what when, with the buttons still to come
        (none once paid or questioned); the requester hears it."""
        out = self.outbox(session, now)
        self.coordination_changed(out)
        final = claim.status in (ClaimStatus.PAID, ClaimStatus.QUESTION)
        for message in out.open(s.id, (COPY,)):
            lang = self.lang_of(message.user_id)
            outcome = self.claim_outcome(claim.status, actor, now, lang)
            shown = claim_messages.claim_for_coordinators(
                s, self.directory, lang, claim if not final else without_buttons(claim), outcome
            )
            shown = with_history(shown, s.id, lang)
            state = t(lang, f"claim.status.{claim.status}")
            shown["text"] = messages.push(s, self.directory, lang, "push.claim_state", state=state)
            out.update(message, shown, request_id=s.id, close=final)
        key = f"claim.dm.{claim.status}"
        news = claim_messages.claim_news(s, s.locale, key, claim, actor, question)
        track = Track(PROMPT, s.requester_id, claim.version) if question else None
        dm(out, s.requester_id, news, request_id=s.id, track=track)


def without_buttons(claim: Claim) -> Claim:
    """The claim as shown once nothing more is to be clicked on this copy."""
    return replace(claim, status=ClaimStatus.PAID)
