"""A `Directory` written as a directory file: the TOML that `bot.infra.directory_file`
reads back to the same directory, so that `cr-bot directory check` accepts it and
`cr-bot directory sync` of it changes nothing.

Every field the file knows is written (optional ones only when set); tests/test_dirfile.py
fails when the reader learns a field this writer leaves out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from bot.domain.budget import NETWORK
from bot.domain.directory import Directory

_HEADER = """\
# Verzeichnis des Netzwerks aus der Datenbank, mit allen Änderungen in Slack.
# The network's directory from the database, with every change made in Slack.
# {when}
#
# Prüfen / check:   cr-bot directory check FILE
# Einlesen / apply: cr-bot directory sync FILE  (ersetzt den Stand in Slack / replaces Slack's)
# Aufbau und Felder / layout and fields: directory.example.toml
"""


def directory_toml(directory: Directory, *, written_at: datetime | None = None) -> str:
    """The directory file for `directory`; `written_at` goes into the header comment."""
    when = "cr-bot directory export"
    if written_at is not None:
        when += ", " + written_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [_HEADER.format(when=when)]

    out.append("[network]")
    out.append(f"name = {_string(directory.network_name)}")
    out.append(f"coordinators = {_strings(directory.coordinators)}")
    if directory.holidays:
        out.append(f"holidays = {_string(directory.holidays)}")
    if directory.privacy_url:
        out.append(f"privacy_url = {_string(directory.privacy_url)}")
    if directory.certificate_signature:
        out.append(f"certificate_signature = {_string(directory.certificate_signature)}")
    if directory.certificate_signature_en:
        out.append(f"certificate_signature_en = {_string(directory.certificate_signature_en)}")

    for city in directory.cities:
        out += ["", "[[city]]", f"key = {_string(city.key)}", f"name = {_string(city.name)}"]
        out.append(f"email_domains = {_strings(city.email_domains)}")
        out.append(f"contacts = {_strings(city.contacts)}")
        if city.holidays:
            out.append(f"holidays = {_string(city.holidays)}")

    for topic in directory.topics:
        out += ["", "[[topic]]", f"key = {_string(topic.key)}", f"name = {_string(topic.name)}"]
        if topic.name_en:
            out.append(f"name_en = {_string(topic.name_en)}")

    for tc in directory.topic_contacts:
        out += ["", "[[topic_contact]]", f"city = {_string(tc.city)}"]
        out += [f"topic = {_string(tc.topic)}", f"users = {_strings(tc.users)}"]

    for budget in directory.budgets:
        out += ["", "[[budget]]", f"year = {budget.year}"]
        if budget.city != NETWORK:
            out.append(f"city = {_string(budget.city)}")
        out.append(f"amount_eur = {_euros(budget.amount_cents)}")

    for rate in directory.travel_rates:
        out += ["", "[[travel_rate]]", f"from = {_string(rate.from_city)}"]
        out += [f"to = {_string(rate.to_city)}"]
        out.append(f"eur_per_person = {_euros(rate.cents_per_person)}")

    return "\n".join(out) + "\n"


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    escaped = []
    for ch in text:
        if ch in '"\\':
            escaped.append("\\" + ch)
        elif ch == "\n":
            escaped.append("\\n")
        elif ch == "\t":
            escaped.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            escaped.append(f"\\u{ord(ch):04X}")
        else:
            escaped.append(ch)
    return '"' + "".join(escaped) + '"'


def _strings(items: Iterable[str]) -> str:
    return "[" + ", ".join(_string(item) for item in items) + "]"


def _euros(cents: int) -> str:
    """Whole euros as an integer (20000), else with two decimals (1234.50)."""
    whole, rest = divmod(cents, 100)
    return str(whole) if not rest else f"{whole}.{rest:02d}"
