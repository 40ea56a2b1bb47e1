"""What the listeners and jobs share: settings, database, Slack client, clock, directory.

A module of its own so the Slack layer can import it without importing the app builder.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.directory import Directory
from bot.domain.privacy import PrivacyNotice
from bot.domain.schedule import HolidayCalendars
from bot.infra.db import DatabaseError, SessionFactory
from bot.infra.holidays import holiday_calendars
from bot.infra.outbox_rows import OutboxRows
from bot.infra.settings import Settings
from bot.outbox import Outbox, wrote_rows
from bot.slack.notify import Notifier
from bot.usecases import people
from bot.usecases.directory import directory_stamp, load_directory
from bot.usecases.ports import Context

log = logging.getLogger(__name__)

# How long this process trusts that a person's stored language is fresh before it looks
# at the people table again (another instance, or a month's age, may have changed it).
KNOWN_FOR = timedelta(days=1)


@dataclass
class Services:
    """What the listeners need: settings, database, Slack client, clock, directory snapshot."""

    settings: Settings
    session_factory: SessionFactory
    client: WebClient
    clock: Callable[[], datetime]  # the entry point's (bot.entry.app), or a test's
    directory: Directory = field(default_factory=Directory)
    # user id -> language ("de"/"en"): a cache of the people table (bot.usecases.people).
    languages: dict[str, str] = field(default_factory=dict)
    # People whose locale is stored and fresh, or whose lookup failed lately (until when).
    _learned: dict[str, datetime] = field(default_factory=dict, repr=False)  # until when
    _failed: dict[str, datetime] = field(default_factory=dict, repr=False)
    # Lookups under way: a second action meanwhile waits for the same one, never asks again.
    _asking: dict[str, Future[None]] = field(default_factory=dict, repr=False)
    _lookups: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=4, thread_name_prefix="people"),
        repr=False,
    )
    # user id -> (own city, until when): the prefill learned after their last form, so the
    # next form opens prefilled with one Slack call instead of three.
    cities: dict[str, tuple[str | None, datetime]] = field(default_factory=dict)
    outbox: Outbox | None = None
    _directory_stamp: datetime | None = None
    _calendars: tuple[Directory, HolidayCalendars] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def deliver(self) -> None:
        """Send what the last use case left in the outbox (after the ack, after the commit).

        With the background sender running, wake it (the listener thread is free at once);
        without it (tests, one-off commands), send here. (`Outbox.send_written`, an action's
        thread sending its own rows, is built and tested but not switched on: the soak on
        PostgreSQL lost posts with it in 2 of 5 runs, cause not found yet.)
        """
        if self.outbox is None:
            return
        if self.outbox.running:
            # Only after an action that wrote rows: a form opened or a search wakes nothing
            # (the sender also looks every few seconds on its own).
            if wrote_rows():
                self.outbox.kick()
            return
        try:
            # In the listener's own thread, in the order written (what tests and one-off
            # commands see); the background sender sends in waves.
            self.outbox.deliver_due(workers=1)
        except Exception:
            # The committed change is safe; the next run of the sender retries.
            log.exception("outbox delivery failed; it will be retried")

    def lang_of(self, user_id: str, *, cached: bool = False) -> str:
        """The person's language as stored (their Slack locale), else CR_LANGUAGE.

        `cached`: from memory only (before views.open, where no database work may come).
        """
        lang = self.languages.get(user_id)
        if lang is None and not cached:
            lang = self._stored_language(user_id)
        return lang or self.settings.language

    def _stored_language(self, user_id: str) -> str | None:
        """From the people table (and into memory); None when unknown or unreadable: the
        language is never worth failing an answer for (the database may be down)."""
        try:
            with self.session_factory() as session:
                lang = people.languages(session, [user_id]).get(user_id)
        except DatabaseError as exc:
            log.warning("language of %s unknown for now: %s", user_id, type(exc).__name__)
            return None
        if lang is not None:
            self._cache(user_id, lang)
        return lang

    def load_languages(self) -> None:
        """Everyone's stored language into memory (at start: a few hundred rows at most)."""
        with self.session_factory() as session:
            stored = people.all_languages(session)
        with self._lock:
            self.languages.update(stored)

    def knows_language(self, user_id: str) -> bool:
        """Whether the person's Slack locale was ever asked (and stored)."""
        return user_id in self.languages or self._stored_language(user_id) is not None

    def remember_language(self, user_id: str, locale: str | None) -> str:
        """Store what Slack says of the person's locale; returns their language."""
        lang = people.remember_locale(
            self.session_factory, user_id, locale, default=self.settings.language, now=self.clock()
        )
        self._cache(user_id, lang)
        with self._lock:
            self._learned[user_id] = self.clock() + KNOWN_FOR
        return lang

    def learn_languages(self, users: Iterable[str], *, timeout: float = 1.5) -> None:
        """Ask Slack (users.info) for the locale of those of `users` never asked, or not for
        a month, so the first message to them is in their language. Waits `timeout` seconds
        at most; a lookup that takes longer still completes in the background."""
        now = self.clock()
        with self._lock:
            todo = [
                u
                for u in dict.fromkeys(users)
                if self._learned.get(u, now) <= now and self._failed.get(u, now) <= now
            ]
            asking = [self._asking[u] for u in todo if u in self._asking]
            todo = [u for u in todo if u not in self._asking]
        if todo:
            try:
                due = set(people.to_check(self.session_factory, todo, now=now))
            except DatabaseError as exc:
                log.warning("cannot check whose language is known: %s", type(exc).__name__)
                due = set()
            with self._lock:
                self._learned.update((u, now + KNOWN_FOR) for u in todo if u not in due)
                for user in sorted(due):
                    if user not in self._asking:  # another thread may have started it
                        self._asking[user] = self._lookups.submit(self._look_up, user)
                        asking.append(self._asking[user])
        if asking:
            wait_for(asking, timeout)

    def _look_up(self, user_id: str) -> None:
        try:
            self._ask_slack(user_id)
        finally:
            with self._lock:
                self._asking.pop(user_id, None)

    def _ask_slack(self, user_id: str) -> None:
        try:
            info = self.client.users_info(user=user_id, include_locale=True)["user"]
        except (SlackApiError, OSError) as exc:
            # Deleted user, Slack away: the default language; ask again in ten minutes.
            log.info("users.info for %s failed (%s); default language for now", user_id, exc)
            with self._lock:
                self._failed[user_id] = self.clock() + timedelta(minutes=10)
            return
        try:
            self.remember_language(user_id, info.get("locale"))
        except DatabaseError as exc:
            log.warning("cannot store the language of %s: %s", user_id, type(exc).__name__)

    def _cache(self, user_id: str, lang: str) -> None:
        with self._lock:
            if len(self.languages) > 10_000:
                self.languages.clear()
            self.languages[user_id] = lang

    def known_city(self, user_id: str) -> tuple[bool, str | None]:
        """(known, city) for the form's prefill; unknown after a day, so profiles are reread."""
        entry = self.cities.get(user_id)
        # Memory only: this runs before views.open.
        if entry is None or entry[1] < self.clock() or user_id not in self.languages:
            return False, None
        return True, entry[0]

    def remember_city(self, user_id: str, city: str | None) -> None:
        with self._lock:
            if len(self.cities) > 10_000:
                self.cities.clear()
            self.cities[user_id] = (city, self.clock() + timedelta(days=1))

    def context(self, directory: Directory | None = None) -> Context:
        """What one action's use case works with: this directory snapshot (`directory`: the
        one the listener just refreshed, not looked up again), the time zone, and the Slack
        notifier as its port out. The network's people are addressed in their language from
        the first message: their locales are learned here if still unknown (once)."""
        directory = directory or self.refresh_directory()
        self.learn_languages(directory.people())
        tz = self.settings.timezone
        notifier = Notifier(
            directory, self.lang_of, tz, OutboxRows, network_lang=self.settings.language
        )
        return Context(directory, tz, notifier)

    def privacy(self) -> PrivacyNotice:
        """The privacy line's facts: CR_PRIVACY_URL wins over the directory's privacy_url
        (the operator answers for the data); the age is CR_PURGE_AFTER's. From memory, no
        query: the form shows it, and nothing may come before its views.open."""
        url = self.settings.privacy_url or self.directory.privacy_url
        return PrivacyNotice(url=url, kept_for=self.settings.purge_after)

    def calendars(self) -> HolidayCalendars:
        """The public holidays of each city and of the network, as the directory names them."""
        directory = self.refresh_directory()
        known = self._calendars
        if known is None or known[0] is not directory:
            known = self._calendars = (directory, holiday_calendars(directory))
        return known[1]

    def refresh_directory(self) -> Directory:
        """The directory as the database has it now; reloaded only when it changed."""
        stamp = directory_stamp(self.session_factory)
        if stamp is None or stamp != self._directory_stamp:
            self.directory = load_directory(self.session_factory)
            self._directory_stamp = stamp
        return self.directory
