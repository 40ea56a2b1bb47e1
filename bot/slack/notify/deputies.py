"""The deputies conversation: who stands in for whom, until when, and when it ends."""

from __future__ import annotations

from datetime import datetime

from bot.domain.deputies import Absence
from bot.slack import messages
from bot.slack.blocks import escape
from bot.slack.notify.base import NotifierBase, dm
from bot.texts import fmt_date, join_names, t


class DeputiesNotifier(NotifierBase):
    def deputy_set(self, session: object, absence: Absence, actor: str, *, now: datetime) -> None:
        """The deputy hears whom they stand in for, until when; the absent person too when a
        coordinator set it for them."""
        out = self.outbox(session, now)
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
            dm(out, absence.deputy, message, request_id=None)
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
            dm(out, absence.user, message, request_id=None)
        out.refresh_home(absence.user)

    def deputy_ended(self, session: object, absence: Absence, actor: str, *, now: datetime) -> None:
        """The deputy and the absent person hear who ended it (unless they ended it)."""
        out = self.outbox(session, now)
        for user in {absence.deputy, absence.user} - {actor, None}:
            assert user is not None
            lang = self.lang_of(user)
            params = {"user": f"<@{absence.user}>", "actor": f"<@{actor}>"}
            key = "deputy.ended_own" if actor == absence.user else "deputy.ended_by"
            message = messages.plain_message(
                t(lang, key, **params), messages.plain_t(lang, key, **params)
            )
            dm(out, user, message, request_id=None)
        out.refresh_home(absence.user)
        if absence.deputy:
            out.refresh_home(absence.deputy)
