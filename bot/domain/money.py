"""Euro amounts as people type them, and nothing else.

Accepted, with or without "€", "EUR" or "Euro" before or after, spaces around:
- whole euros: `1250`, `1250,-`
- a decimal comma or point with one or two digits: `1250,50`, `1250.5`
- thousands grouped by dots, commas or spaces, every group three digits, with a
  decimal part after the other mark: `1.250,50`, `1,250.50`, `1 250,50`, `12.345.678`

One group without decimals is read as the person's language writes it: `1.250` is
1250 € in German and `1,250` is 1250 € in English; the other reading (1,25 € with a
third decimal) is no way to write euros, so `1,250` in German and `1.250` in English are
refused rather than guessed. Everything else (`2,50,00`, `12,,50`, `1..5`, `1.5.0`,
`1,2345`) is refused: the caller shows the field's error with an example.
"""

from __future__ import annotations

import re
from decimal import Decimal

MAX_DIGITS = 12  # of the whole euros: far above any travel cost, far below trouble
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_CURRENCY = re.compile(r"^(?:€|euro|eur)\s*|\s*(?:€|euro|eur)$", re.IGNORECASE)
_WHOLE_EUROS = re.compile(r"[.,][-–]$")  # "1250,-" and "1.250,–"
_PLAIN = re.compile(r"(?P<whole>\d+)(?:[.,](?P<cents>\d{1,2}))?", re.ASCII)
_GROUPED = re.compile(
    r"(?P<whole>[1-9]\d{0,2}(?:(?P<sep>[., ])\d{3})(?:(?P=sep)\d{3})*)"
    r"(?:(?P<mark>[.,])(?P<cents>\d{1,2}))?",
    re.ASCII,  # digits 0-9 only
)
# The thousands mark that a single group without decimals means in each language.
_ONE_GROUP_MARK = {"de": ".", "en": ","}


def parse_amount(text: str, lang: str = "de") -> Decimal | None:
    """The amount in euros with two decimals; None for an empty field.

    Raises ValueError for anything that is not an amount (see the module's rules); a
    leading minus is kept, so that the caller can say that costs are not negative.
    """
    s = _SPACES.sub(" ", text or "").strip()
    if not s:
        return None
    s = _CURRENCY.sub("", s, count=1).strip()
    if not s:
        raise ValueError(text)  # a currency without an amount
    sign = ""
    if s[0] in "-−":
        sign, s = "-", s[1:].lstrip()
    s = _WHOLE_EUROS.sub("", s)
    plain = _PLAIN.fullmatch(s)
    if plain:
        return _amount(sign, plain["whole"], plain["cents"], text)
    grouped = _GROUPED.fullmatch(s)
    if grouped is None or grouped["sep"] == grouped["mark"]:
        raise ValueError(text)
    whole = grouped["whole"]
    one_group = whole.count(grouped["sep"]) == 1 and grouped["cents"] is None
    if one_group and grouped["sep"] != " " and grouped["sep"] != _ONE_GROUP_MARK.get(lang, "."):
        raise ValueError(text)  # "1,250" in German, "1.250" in English: refused, not guessed
    return _amount(sign, whole.replace(grouped["sep"], ""), grouped["cents"], text)


def _amount(sign: str, whole: str, cents: str | None, text: str) -> Decimal:
    if len(whole.lstrip("0")) > MAX_DIGITS:
        raise ValueError(text)
    return Decimal(f"{sign}{whole}.{(cents or '0').ljust(2, '0')}")


def to_cents(amount: Decimal) -> int:
    """An amount from `parse_amount` in cents."""
    return int(amount * 100)
