"""Dates, numbers, money and lists as people read them, by Babel from CLDR's locale data.

The patterns the bot writes in are texts of each catalogue (`fmt.date` "ccc, d. MMM y",
`fmt.money` "#,##0.00 ¤", ...), so a language brings its own; the names of days and months
and the decimal and grouping signs come from CLDR. Numbers are rounded as Python's format()
rounds them (half to even on the exact value) before Babel writes them, so a rounding never
depends on the library.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time, get_month_names
from babel.numbers import format_currency, format_decimal, format_percent, get_decimal_symbol

from bot.texts.catalogue import supported, t

CURRENCY = "EUR"


@lru_cache
def locale_of(lang: str) -> Locale:
    return Locale.parse(lang)


def _locale(lang: str) -> tuple[str, Locale]:
    lang = supported(lang)
    return lang, locale_of(lang)


def _exact(value: float | Decimal | int, places: int) -> Decimal:
    """`value` rounded to `places` decimals as format() rounds it."""
    return Decimal(f"{value:.{places}f}")


def _number_pattern(places: int) -> str:
    return "#,##0" + ("." + "0" * places if places else "")


# Babel parses the pattern and walks CLDR's data on every call (about a millisecond of
# CPU); a message names the same few dates and sums again and again: each is made once.
FORMATTED = 4096


@lru_cache(maxsize=FORMATTED)
def fmt_date(d: date, lang: str) -> str:
    """Mo, 7. Dez. 2026 / Mon, 7 Dec 2026."""
    lang, loc = _locale(lang)
    return format_date(d, t(lang, "fmt.date"), locale=loc)


def fmt_long_date(d: date, lang: str) -> str:
    """7. Dezember 2026 / 7 December 2026."""
    lang, loc = _locale(lang)
    return format_date(d, t(lang, "fmt.date_long"), locale=loc)


def fmt_range(start: date, end: date, lang: str) -> str:
    if start == end:
        return fmt_date(start, lang)
    return t(lang, "fmt.range", start=fmt_date(start, lang), end=fmt_date(end, lang))


def fmt_time(moment: datetime, lang: str) -> str:
    lang, loc = _locale(lang)
    return format_time(moment.time(), t(lang, "fmt.time"), locale=loc)


def fmt_datetime(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """Mo, 7. Dez. 2026 um 09:10 Uhr / Mon, 7 Dec 2026 at 09:10."""
    local = moment.astimezone(tz)
    day = fmt_date(local.date(), lang)
    return t(lang, "fmt.datetime", date=day, time=fmt_time(local, lang))


def date_token(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """A Slack date token, shown in each reader's locale and time zone.

    {date_short_pretty} reads "heute"/"gestern"/"morgen" (today/yesterday/tomorrow) or a
    date ("1. Dez. 2026"), so texts put it where no preposition is needed ("· heute um
    09:10"); the fallback, for clients that cannot render it, reads the same way.
    """
    fallback = fmt_datetime(moment, lang, tz)
    shown = t(lang, "fmt.datetime_slack", date="{date_short_pretty}", time="{time}")
    return f"<!date^{int(moment.timestamp())}^{shown}|{fallback}>"


def month_name(month: int, lang: str, *, wide: bool = False) -> str:
    """Dez. / Dec (abbreviated, as in dates), or Dezember / December."""
    names = get_month_names("wide" if wide else "abbreviated", "format", _locale(lang)[1])
    return str(names[month])


def fmt_count(n: int, lang: str) -> str:
    """1.234 (German) / 1,234 (English)."""
    return format_decimal(n, "#,##0", locale=_locale(lang)[1])


def fmt_decimal(value: float | Decimal | None, places: int, lang: str) -> str:
    """2,5 / 2.5 (grouped: 1.234,5); "–" when there is nothing to show."""
    if value is None:
        return "–"
    return format_decimal(_exact(value, places), _number_pattern(places), locale=_locale(lang)[1])


def fmt_percent(share: float | None, lang: str) -> str:
    """A share (0–1) as 12,5 % / 12.5%; "–" for none."""
    if share is None:
        return "–"
    lang, loc = _locale(lang)
    return format_percent(_exact(share * 100, 1) / 100, t(lang, "fmt.percent"), locale=loc)


def decimal_comma(lang: str) -> bool:
    """Whether `lang` writes 2,5 (rather than 2.5)."""
    return get_decimal_symbol(_locale(lang)[1]) == ","


def fmt_euros(amount: Decimal | float | int, lang: str, *, cents: bool = True) -> str:
    """The one money format: 20.000,00 € (German), €20,000.00 (English); whole euros
    without cents (20.000 € / €20,000) for charts' axes."""
    lang, loc = _locale(lang)
    pattern = t(lang, "fmt.money" if cents else "fmt.money_whole")
    value = _exact(amount, 2 if cents else 0)
    return format_currency(value, CURRENCY, pattern, locale=loc, currency_digits=False)


@lru_cache(maxsize=FORMATTED)
def fmt_cents(cents: int, lang: str) -> str:
    """The one money format people read: 20.000,00 € (German), €20,000.00 (English).

    Messages, the Home tab, modals, form errors, the report's Markdown and its Slack
    message all use it; only the CSV keeps plain numbers for spreadsheets."""
    return fmt_euros(Decimal(cents).scaleb(-2), lang)


def fmt_money(amount: Decimal | None, lang: str) -> str:
    """Euros (a Decimal) in the one money format; "–" for none."""
    if amount is None:
        return "–"
    return fmt_cents(int((amount * 100).to_integral_value()), lang)


def join_names(names: list[str], lang: str) -> str:
    """ "@a, @b und @c" / "@a, @b and @c" (the catalogue's `fmt.list`: CLDR's English
    list puts a comma before "and", the bot's English does not)."""
    if len(names) <= 1:
        return "".join(names)
    rest = t(lang, "fmt.list.separator").join(names[:-1])
    return t(lang, "fmt.list", rest=rest, last=names[-1])
