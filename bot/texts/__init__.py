"""User-facing text in German (first) and English, and German-style dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.texts.texts_core import TEXTS

WEEKDAYS = {
    "de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
MONTHS = {
    "de": ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.",
           "Nov.", "Dez."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}  # fmt: skip


def t(lang: str, key: str, **kw: object) -> str:
    """The text `key` in `lang` (German when missing), with {placeholders} filled."""
    entry = TEXTS[key]
    text = entry.get(lang) or entry["de"]
    return text.format(**kw) if kw else text


def tn(lang: str, key: str, n: int, **kw: object) -> str:
    """`key.one` for 1, `key.zero` for 0 (when there is one), else `key.other`; {n} filled."""
    form = "one" if n == 1 else "zero" if n == 0 and f"{key}.zero" in TEXTS else "other"
    return t(lang, f"{key}.{form}", n=n, **kw)


def join_names(names: list[str], lang: str) -> str:
    """ "@a, @b und @c" / "@a, @b and @c"."""
    if len(names) <= 1:
        return "".join(names)
    last = " and " if lang == "en" else " und "
    return ", ".join(names[:-1]) + last + names[-1]


def travellers_text(n: int, lang: str) -> str:
    """ "2 Personen reisen" / "niemand reist"."""
    return tn(lang, "travellers", n)


def fmt_date(d: date, lang: str) -> str:
    """Mo, 7. Dez. 2026 / Mon, 7 Dec 2026."""
    wd = WEEKDAYS[lang if lang in WEEKDAYS else "de"][d.weekday()]
    if lang == "en":
        return f"{wd}, {d.day} {MONTHS['en'][d.month - 1]} {d.year}"
    return f"{wd}, {d.day}. {MONTHS['de'][d.month - 1]} {d.year}"


def fmt_range(start: date, end: date, lang: str) -> str:
    if start == end:
        return fmt_date(start, lang)
    return f"{fmt_date(start, lang)} – {fmt_date(end, lang)}"


def fmt_datetime(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """Mo, 7. Dez. 2026 um 09:10 Uhr / Mon, 7 Dec 2026 at 09:10."""
    local = moment.astimezone(tz)
    clock = local.strftime("%H:%M")
    if lang == "en":
        return f"{fmt_date(local.date(), lang)} at {clock}"
    return f"{fmt_date(local.date(), lang)} um {clock} Uhr"


def date_token(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """A Slack date token, shown in each reader's locale and time zone.

    {date_short_pretty} reads "heute"/"gestern"/"morgen" (today/yesterday/tomorrow) or a
    date ("1. Dez. 2026"), so texts put it where no preposition is needed ("· heute um
    09:10"); the fallback, for clients that cannot render it, reads the same way.
    """
    at = "at" if lang == "en" else "um"
    fallback = fmt_datetime(moment, lang, tz)
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {at} {{time}}|{fallback}>"


def fmt_cents(cents: int, lang: str) -> str:
    """The one money format people read: 20.000,00 € (German), €20,000.00 (English).

    Messages, the Home tab, modals, form errors, the report's Markdown and its Slack
    message all use it; only the CSV keeps plain numbers for spreadsheets."""
    sign, cents = ("-" if cents < 0 else ""), abs(cents)
    text = f"{cents // 100:,}.{cents % 100:02d}"
    if lang == "en":
        return f"{sign}€{text}"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return f"{sign}{text} €"


def fmt_money(amount: Decimal | None, lang: str) -> str:
    """Euros (a Decimal) in the one money format; "–" for none."""
    if amount is None:
        return "–"
    return fmt_cents(int((amount * 100).to_integral_value()), lang)


def format_label(key: str, lang: str) -> str:
    return t(lang, f"format.{key}")


def direction_label(key: str, lang: str) -> str:
    return t(lang, f"direction.{key}")


def status_label(key: str, lang: str) -> str:
    return t(lang, f"status.{key}")
