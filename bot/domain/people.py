"""People's language: Slack locales ("de-DE", "en-US") map to the languages we write in."""

from __future__ import annotations

from datetime import datetime, timedelta

# The languages the bot writes in, German (the source of the texts) first: the one list.
# A language is its code here plus its catalogue, bot/texts/locale/<lang>/LC_MESSAGES/messages.po.
LANGUAGES = ("de", "en")
# A person's Slack locale is asked again after this long (people change it rarely).
RECHECK_AFTER = timedelta(days=30)


def language_of_locale(locale: str | None, default: str) -> str:
    """Slack locales look like "de-DE" or "en-US"; a language not in LANGUAGES → default."""
    if not locale:
        return default
    lang = locale.split("-")[0].lower()
    return lang if lang in LANGUAGES else default


def needs_check(checked_at: datetime | None, now: datetime) -> bool:
    """Never asked, or asked so long ago that the answer may be stale."""
    return checked_at is None or now - checked_at >= RECHECK_AFTER
