"""The directory edited in Slack: whoever gained or lost a role hears it, in their language."""

from __future__ import annotations

from datetime import datetime

from bot.domain import directory_edits as e
from bot.slack import messages
from bot.slack.blocks import escape
from bot.slack.notify.base import NotifierBase, dm
from bot.texts import t


class DirectoryNotifier(NotifierBase):
    def directory_changed(
        self, session: object, change: e.Change, actor: str, *, now: datetime
    ) -> None:
        """A new contact, coordinator or topic contact learns what they now decide or name;
        a removed one that they no longer do, and who does. Their Home tabs are refreshed
        (their decisions and namings waiting changed); nobody is told what they did."""
        if not change.added and not change.removed:
            return
        out = self.outbox(session, now)
        directory, edit = change.directory, change.edit
        city = getattr(edit, "city", "")
        topic = getattr(edit, "topic", "")
        kind = change.kind.removesuffix("_add").removesuffix("_remove")
        for user, gained in [(u, True) for u in change.added] + [
            (u, False) for u in change.removed
        ]:
            out.refresh_home(user)
            if user == actor:
                continue
            lang = self.lang_of(user)
            if isinstance(edit, e.SetTopicContact):
                now_doing = directory.naming_contacts(city, topic)
            elif isinstance(edit, e.AddCoordinator | e.RemoveCoordinator):
                now_doing = directory.coordinators
            else:
                now_doing = directory.contacts_of(city)
            params = {
                "actor": f"<@{actor}>",
                "network": escape(directory.network_name),
                "city": escape(directory.city_name(city)),
                "topic": escape(directory.topic_label(topic, lang)),
                "others": messages.mentions(now_doing, lang),
            }
            key = f"dir.told.{kind}_{'add' if gained else 'remove'}"
            message = messages.plain_message(
                t(lang, key, **params), messages.plain_t(lang, key, **params)
            )
            dm(out, user, message, request_id=None)
