"""Settings read from the environment (PRODUCT.md, "Configuration").

Only the entry point loads `.env`; everything here works on a plain mapping so
tests can pass their own environment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.people import LANGUAGES  # the one list of languages
from bot.domain.privacy import Retention

# DigestSchedule is a domain value; imported here for Settings (and re-exported).
from bot.domain.schedule import WORKING_HOURS, DigestSchedule, WorkingHours
from bot.infra.directory_fields import url_problem

# The placeholders in .env.example, recognised so that a copied file gets a clear line.
EXAMPLE_BOT_TOKEN = "xoxb-your-bot-token"
EXAMPLE_APP_TOKEN = "xapp-your-app-token"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and the fix."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    bot_token: str
    signing_secret: str | None = None
    app_token: str | None = None
    api_url: str | None = None
    database_url: str = "sqlite:///cr-bot.db"
    directory_path: Path = Path("directory.toml")
    digest_channel: str | None = None
    digest_schedule: DigestSchedule = field(
        default_factory=lambda: DigestSchedule(weekdays=(0,), at=time(9, 0))
    )
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Berlin"))
    working_hours: WorkingHours = WORKING_HOURS
    language: str = "de"
    port: int = 3000
    # The privacy page; set, it wins over the directory's privacy_url (the operator
    # answers for the data the bot holds).
    privacy_url: str | None = None
    # How long closed requests keep their texts: what `cr-bot purge` removes without
    # --older-than, and what the privacy line tells people. None: not set.
    purge_after: Retention | None = None

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str], *, require_slack: bool = True, offline: bool = False
    ) -> Settings:
        """Read and check every setting; raise SettingsError naming the first problem.

        Commands that post but serve nothing (digest, remind, reflect) pass
        require_slack=False: no signing secret needed. Commands that never talk to Slack
        (database, directory, history, report, export, purge) pass offline=True: the Slack
        settings are not read at all, so a missing token or the placeholders of a copied
        .env.example do not stop them.
        """
        require_slack = require_slack and not offline

        def get(name: str) -> str | None:
            if offline and name.startswith("SLACK_"):
                return None
            value = env.get(name, "").strip()
            return value or None

        bot_token = get("SLACK_BOT_TOKEN")
        if not bot_token and not require_slack:
            bot_token = "xoxb-unset"
        if not bot_token:
            raise SettingsError(
                "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) of your "
                "Slack app into .env (see .env.example)."
            )
        if not bot_token.startswith("xox"):
            raise SettingsError(
                "SLACK_BOT_TOKEN does not look like a Slack token: it must start with xoxb-."
            )
        if bot_token == EXAMPLE_BOT_TOKEN:
            raise SettingsError(
                "SLACK_BOT_TOKEN is still the example value of .env.example: paste the Bot "
                "User OAuth Token (xoxb-…) from OAuth & Permissions of your Slack app."
            )
        app_token = get("SLACK_APP_TOKEN")
        if app_token and not app_token.startswith("xapp-"):
            raise SettingsError(
                "SLACK_APP_TOKEN must be an app-level token starting with xapp- "
                "(Basic Information → App-Level Tokens, scope connections:write)."
            )
        if app_token == EXAMPLE_APP_TOKEN:
            raise SettingsError(
                "SLACK_APP_TOKEN is still the example value of .env.example: paste the "
                "App-Level Token (xapp-…) from Basic Information → App-Level Tokens, or "
                "remove the line for HTTP mode."
            )
        signing_secret = get("SLACK_SIGNING_SECRET")
        if not app_token and not signing_secret and require_slack:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs the app's Signing Secret "
                "(Basic Information → App Credentials); or set SLACK_APP_TOKEN for Socket Mode."
            )
        api_url = get("SLACK_API_URL")
        if api_url:
            parsed = urlparse(api_url)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise SettingsError(
                    f"SLACK_API_URL={api_url!r} is not an http(s) URL: "
                    "use e.g. https://slack.com/api/ or unset it."
                )
            if not api_url.endswith("/"):
                api_url += "/"
        database_url = get("DATABASE_URL") or "sqlite:///cr-bot.db"
        if "://" not in database_url:
            raise SettingsError(
                f"DATABASE_URL={database_url!r} is not a database URL: use "
                "sqlite:///cr-bot.db or postgresql+psycopg://user@host/db."
            )
        schedule_text = get("CR_DIGEST_SCHEDULE") or "mon 09:00"
        try:
            schedule = DigestSchedule.parse(schedule_text)
        except ValueError:
            raise SettingsError(
                f"CR_DIGEST_SCHEDULE={schedule_text!r} is not understood: use e.g. 'mon 09:00', "
                "'mon,thu 08:30', 'weekdays 09:00' or 'daily 07:00'."
            ) from None
        tz_name = get("CR_TIMEZONE") or "Europe/Berlin"
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                f"CR_TIMEZONE={tz_name!r} is not a time zone: use an IANA name such as "
                "Europe/Berlin."
            ) from None
        hours_text = get("CR_WORKING_HOURS") or str(WORKING_HOURS)
        try:
            working_hours = WorkingHours.parse(hours_text)
        except ValueError:
            raise SettingsError(
                f"CR_WORKING_HOURS={hours_text!r} is not understood: use HH:MM-HH:MM with the "
                "end after the start, e.g. '08:00-18:00'."
            ) from None
        language = (get("CR_LANGUAGE") or "de").lower()
        if language not in LANGUAGES:
            raise SettingsError(
                f"CR_LANGUAGE={language!r} is not supported: use {' or '.join(LANGUAGES)}."
            )
        port_text = get("PORT") or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"PORT={port_text!r} is not a port number: use e.g. 3000.")
        channel = get("CR_DIGEST_CHANNEL")
        if channel and not re.fullmatch(r"[CG][A-Z0-9]{2,}", channel):
            raise SettingsError(
                f"CR_DIGEST_CHANNEL={channel!r} is not a channel ID: use the ID shown under "
                "the channel's details in Slack (e.g. C0123ABCD), and invite the bot there."
            )
        privacy_url = get("CR_PRIVACY_URL")
        if privacy_url and url_problem(privacy_url):
            raise SettingsError(f"CR_PRIVACY_URL: {url_problem(privacy_url)}.")
        purge_text = get("CR_PURGE_AFTER")
        try:
            purge_after = Retention.parse(purge_text) if purge_text else None
        except ValueError as exc:
            raise SettingsError(f"CR_PURGE_AFTER: {exc}.") from None
        return cls(
            bot_token=bot_token,
            signing_secret=signing_secret,
            app_token=app_token,
            api_url=api_url,
            database_url=database_url,
            directory_path=Path(get("CR_DIRECTORY") or "directory.toml"),
            digest_channel=channel,
            digest_schedule=schedule,
            timezone=tz,
            working_hours=working_hours,
            language=language,
            port=int(port_text),
            privacy_url=privacy_url,
            purge_after=purge_after,
        )
