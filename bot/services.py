"""What the listeners and jobs share: settings, database, Slack client, clock, directory.

A module of its own so the Slack layer can import it without importing the app builder.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.db import SessionFactory
from bot.domain.directory import Directory
from bot.notify import Notifier
from bot.outbox import Outbox
from bot.settings import Settings
from bot.usecases.directory import directory_stamp, load_directory
from models.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What the listeners need: settings, database, Slack client, clock, directory snapshot."""

    settings: Settings
    session_factory: SessionFactory
    client: WebClient
    clock: Callable[[], datetime] = utcnow
    directory: Directory = field(default_factory=Directory)
    # user id -> Slack locale language ("de"/"en"), learned after the first modal.
    languages: dict[str, str] = field(default_factory=dict)
    # user id -> (own city, until when): the prefill learned after their last form, so the
    # next form opens prefilled with one Slack call instead of three.
    cities: dict[str, tuple[str | None, datetime]] = field(default_factory=dict)
    outbox: Outbox | None = None
    _directory_stamp: datetime | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def deliver(self) -> None:
        """Send what the last use case left in the outbox (after the ack, after the commit).

        With the background sender running, wake it (the listener thread is free at once);
        without it (tests, one-off commands), send here.
        """
        if self.outbox is None:
            return
        if self.outbox.running:
            self.outbox.kick()
            return
        try:
            self.outbox.deliver_due()
        except Exception:
            # The committed change is safe; the next run of the sender retries.
            log.exception("outbox delivery failed; it will be retried")

    def lang_of(self, user_id: str) -> str:
        return self.languages.get(user_id, self.settings.language)

    def remember_language(self, user_id: str, locale: str | None) -> str:
        lang = language_of_locale(locale, self.settings.language)
        with self._lock:
            if len(self.languages) > 10_000:
                self.languages.clear()
            self.languages[user_id] = lang
        return lang

    def known_city(self, user_id: str) -> tuple[bool, str | None]:
        """(known, city) for the form's prefill; unknown after a day, so profiles are reread."""
        entry = self.cities.get(user_id)
        if entry is None or entry[1] < self.clock() or user_id not in self.languages:
            return False, None
        return True, entry[0]

    def remember_city(self, user_id: str, city: str | None) -> None:
        with self._lock:
            if len(self.cities) > 10_000:
                self.cities.clear()
            self.cities[user_id] = (city, self.clock() + timedelta(days=1))

    def notifier(self) -> Notifier:
        return Notifier(self.directory, self.lang_of, self.settings.timezone)

    def refresh_directory(self) -> Directory:
        """The directory as the database has it now; reloaded only when it changed."""
        stamp = directory_stamp(self.session_factory)
        if stamp is None or stamp != self._directory_stamp:
            self.directory = load_directory(self.session_factory)
            self._directory_stamp = stamp
        return self.directory


def language_of_locale(locale: str | None, default: str) -> str:
    """Slack locales look like "de-DE" or "en-US"; anything but German/English → default."""
    if not locale:
        return default
    lang = locale.split("-")[0].lower()
    return lang if lang in ("de", "en") else default
