"""User-facing text in German (first) and English, and how dates, numbers and money read.

The texts are gettext catalogues (`bot/texts/locale/<lang>/LC_MESSAGES/messages.po`, read at
import by `bot.texts.catalogue`); the formats are Babel's, with CLDR's data for each language
(`bot.texts.formats`). The languages are one list, `bot.domain.people.LANGUAGES`.
"""

from __future__ import annotations

from bot.texts.catalogue import (
    LOCALE_DIR,
    TEXTS,
    has_text,
    languages,
    load,
    placeholders,
    supported,
    t,
    tn,
)
from bot.texts.formats import (
    date_token,
    decimal_comma,
    fmt_cents,
    fmt_count,
    fmt_date,
    fmt_datetime,
    fmt_decimal,
    fmt_euros,
    fmt_long_date,
    fmt_money,
    fmt_percent,
    fmt_range,
    fmt_time,
    join_names,
    month_name,
)

__all__ = [
    "LOCALE_DIR",
    "TEXTS",
    "date_token",
    "decimal_comma",
    "direction_label",
    "fmt_cents",
    "fmt_count",
    "fmt_date",
    "fmt_datetime",
    "fmt_decimal",
    "fmt_euros",
    "fmt_long_date",
    "fmt_money",
    "fmt_percent",
    "fmt_range",
    "fmt_time",
    "format_label",
    "has_text",
    "join_names",
    "languages",
    "load",
    "month_name",
    "placeholders",
    "status_label",
    "supported",
    "t",
    "tn",
    "travellers_text",
]

load()


def travellers_text(n: int, lang: str) -> str:
    """ "2 Personen reisen" / "niemand reist"."""
    return tn(lang, "travellers", n)


def format_label(key: str, lang: str) -> str:
    return t(lang, f"format.{key}")


def direction_label(key: str, lang: str) -> str:
    return t(lang, f"direction.{key}")


def status_label(key: str, lang: str) -> str:
    return t(lang, f"status.{key}")
