"""The directory file: TOML text in, a checked `Directory` out.

Every problem is collected and reported at once, each naming its entry and
field, so that one `cr-bot directory check` run shows everything to fix.
Pure: no database, no Slack; only `load_directory_file` touches the disk.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.domain.budget import NETWORK, BudgetInfo
from bot.domain.directory import CityInfo, Directory, TopicContact, TopicInfo
from bot.domain.travel import TravelRate
from bot.infra.directory_fields import FieldReader, Problem, url_problem
from bot.infra.holidays import code_problem

EXAMPLE_FILE = "directory.example.toml"

_LINE_RE = re.compile(r"line (\d+)")

# Column size in models.tables: longer values would fail only at sync time.
_MAX_NAME = 200
_MAX_HOLIDAYS = 32
_MAX_URL = 500

_SECTIONS = ("network", "city", "topic", "topic_contact", "budget", "travel_rate")
_NETWORK_FIELDS = (
    "name",
    "coordinators",
    "holidays",
    "privacy_url",
    "certificate_signature",
    "certificate_signature_en",
)
_MAX_SIGNATURE = 300
_CITY_FIELDS = ("key", "name", "email_domains", "contacts", "holidays")
_TOPIC_FIELDS = ("key", "name", "name_en")
_TOPIC_CONTACT_FIELDS = ("city", "topic", "users")
_BUDGET_FIELDS = ("year", "amount_eur", "city")
_TRAVEL_RATE_FIELDS = ("from", "to", "eur_per_person")


class DirectoryFileError(Exception):
    """The directory file cannot be used; `.problems` says why, all at once."""

    def __init__(self, problems: Sequence[Problem], source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{self.source}: " if self.source else ""
        head += f"{n} problem{'' if n == 1 else 's'} in the directory file"
        return "\n  ".join([head + ":", *(str(p) for p in self.problems)])


def check_directory(text: str) -> list[Problem]:
    """Every problem in the directory file `text`; empty when it is usable."""
    return _read(text)[1]


def parse_directory(text: str) -> Directory:
    """The directory in `text`; raises `DirectoryFileError` listing every problem."""
    directory, problems = _read(text)
    if problems or directory is None:
        raise DirectoryFileError(problems)
    return directory


def load_directory_file(path: Path) -> Directory:
    """The directory in the file at `path`; raises `DirectoryFileError` when unusable."""
    directory, problems = _read(read_directory_file(path))
    if problems or directory is None:
        raise DirectoryFileError(problems, source=str(path))
    return directory


def read_directory_file(path: Path) -> str:
    """The text of the directory file: UTF-8, a BOM (as Windows editors write it) dropped.

    Raises `DirectoryFileError` with one problem whose entry is the path itself when the
    file cannot be read as text."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        message = f"file not found; copy {EXAMPLE_FILE} to it and fill in your network"
    except IsADirectoryError:
        message = "is a folder, not a file: name the directory file itself (e.g. directory.toml)"
    except PermissionError:
        message = "not allowed to read it: check the file's permissions"
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        message = (
            f"not UTF-8 text (line {line}, byte 0x{exc.object[exc.start]:02x}): "
            "save it as UTF-8 in your editor"
        )
    except OSError as exc:
        message = f"cannot be read ({exc.strerror or exc})"
    raise DirectoryFileError([Problem(str(path), "", message)], source=str(path))


# --- reading -----------------------------------------------------------------


def _read(text: str) -> tuple[Directory | None, list[Problem]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _LINE_RE.search(message)
        line = int(match.group(1)) if match else None
        return None, [Problem("TOML syntax", "", message, line=line)]
    return check_directory_data(data)


def check_directory_data(data: dict[str, Any]) -> tuple[Directory | None, list[Problem]]:
    """The checks of `directory check` on the file's content already read (the tables and
    values TOML gives): the directory, or None and every problem. Edits made in Slack are
    checked this way (`bot.infra.directory_edits`)."""
    reader = _Reader()
    directory = reader.directory(data)
    return (None if reader.problems else directory), reader.problems


class _Reader(FieldReader):
    """Walks the parsed TOML once, collecting problems instead of stopping at the first."""

    def directory(self, data: dict[str, Any]) -> Directory:
        for name in data:
            if name not in _SECTIONS:
                self.report(
                    "top level",
                    name,
                    "unknown section; expected [network], [[city]], [[topic]], [[topic_contact]], "
                    "[[budget]] or [[travel_rate]]",
                )
        network_name, coordinators, holidays, privacy_url, signature = self.network(
            data.get("network")
        )
        cities = self.cities(self.entries(data, "city"))
        topics = self.topics(self.entries(data, "topic"))
        topic_contacts = self.topic_contacts(
            self.entries(data, "topic_contact"),
            city_keys=set(self.seen["city"]),
            topic_keys=set(self.seen["topic"]),
        )
        budgets = self.budgets(self.entries(data, "budget"), city_keys=set(self.seen["city"]))
        rates = self.travel_rates(self.entries(data, "travel_rate"), city_keys=self.seen["city"])
        return Directory(
            network_name=network_name or "",
            coordinators=coordinators,
            cities=tuple(cities),
            topics=tuple(topics),
            topic_contacts=tuple(topic_contacts),
            budgets=tuple(budgets),
            holidays=holidays,
            privacy_url=privacy_url,
            travel_rates=tuple(rates),
            certificate_signature=signature[0],
            certificate_signature_en=signature[1],
        )

    # --- sections ------------------------------------------------------------

    def network(
        self, table: Any
    ) -> tuple[str | None, tuple[str, ...], str | None, str | None, tuple[str | None, str | None]]:
        entry = "[network]"
        if table is None:
            self.report(entry, "", 'missing; the file needs [network] with name = "…"')
            return None, (), None, None, (None, None)
        if not isinstance(table, dict):
            self.report(entry, "", "must be a table, written [network]")
            return None, (), None, None, (None, None)
        self.unknown_fields(entry, table, _NETWORK_FIELDS)
        name = self.text(entry, table, "name", required=True, max_len=_MAX_NAME)
        coordinators = self.user_ids(entry, table, "coordinators", empty_message=None)
        privacy_url = self.text(entry, table, "privacy_url", required=False, max_len=_MAX_URL)
        if privacy_url and url_problem(privacy_url):
            self.report(entry, "privacy_url", str(url_problem(privacy_url)))
            privacy_url = None
        signature = tuple(
            self.line(entry, table, field, max_len=_MAX_SIGNATURE)
            for field in ("certificate_signature", "certificate_signature_en")
        )
        holidays = self.holidays(entry, table)
        return name, coordinators, holidays, privacy_url, (signature[0], signature[1])

    def entries(self, data: dict[str, Any], section: str) -> list[tuple[str, dict[str, Any]]]:
        """The `[[section]]` tables, each with its label, e.g. `[[city]] #2 (key "leipzig")`."""
        value = data.get(section, [])
        if isinstance(value, dict):
            self.report(
                f"[{section}]", "", f"write [[{section}]] (double brackets), once per entry"
            )
            return []
        if not isinstance(value, list):
            self.report("top level", section, f"must be a list of [[{section}]] tables")
            return []
        result = []
        for number, table in enumerate(value, start=1):
            entry = f"[[{section}]] #{number}"
            if not isinstance(table, dict):
                self.report(entry, "", f"must be a table, written [[{section}]]")
                continue
            key = table.get("key")
            if isinstance(key, str) and key:
                entry += f' (key "{key}")'
            result.append((entry, table))
        return result

    def cities(self, entries: list[tuple[str, dict[str, Any]]]) -> list[CityInfo]:
        cities: list[CityInfo] = []
        domain_owner: dict[str, str] = {}
        for entry, table in entries:
            self.unknown_fields(entry, table, _CITY_FIELDS)
            key = self.key(entry, table, "city")
            name = self.text(entry, table, "name", required=True, max_len=_MAX_NAME)
            domains = self.domains(entry, table, key or "?", domain_owner)
            contacts = self.user_ids(
                entry, table, "contacts", empty_message="a city needs at least one contact"
            )
            holidays = self.holidays(entry, table)
            if key and name:
                cities.append(CityInfo(key, name, domains, contacts, holidays))
        return cities

    def topics(self, entries: list[tuple[str, dict[str, Any]]]) -> list[TopicInfo]:
        topics: list[TopicInfo] = []
        for entry, table in entries:
            self.unknown_fields(entry, table, _TOPIC_FIELDS)
            key = self.key(entry, table, "topic")
            name = self.text(entry, table, "name", required=True, max_len=_MAX_NAME)
            name_en = self.text(entry, table, "name_en", required=False, max_len=_MAX_NAME)
            if key and name:
                topics.append(TopicInfo(key, name, name_en))
        return topics

    def topic_contacts(
        self,
        entries: list[tuple[str, dict[str, Any]]],
        *,
        city_keys: set[str],
        topic_keys: set[str],
    ) -> list[TopicContact]:
        result: list[TopicContact] = []
        first_entry: dict[tuple[str, str], str] = {}
        for entry, table in entries:
            self.unknown_fields(entry, table, _TOPIC_CONTACT_FIELDS)
            city = self.reference(entry, table, "city", city_keys)
            topic = self.reference(entry, table, "topic", topic_keys)
            users = self.user_ids(
                entry, table, "users", empty_message="a topic contact needs at least one user"
            )
            if city is None or topic is None:
                continue
            if (city, topic) in first_entry:
                self.report(
                    entry,
                    "topic",
                    f'city "{city}" and topic "{topic}" are already in {first_entry[city, topic]}',
                )
                continue
            first_entry[city, topic] = entry
            result.append(TopicContact(city, topic, users))
        return result

    def budgets(
        self, entries: list[tuple[str, dict[str, Any]]], *, city_keys: set[str]
    ) -> list[BudgetInfo]:
        """Travel budgets: one per year for the network, and optionally a city's own share."""
        result: list[BudgetInfo] = []
        first_entry: dict[tuple[int, str], str] = {}
        for entry, table in entries:
            self.unknown_fields(entry, table, _BUDGET_FIELDS)
            year = self.year(entry, table)
            cents = self.euros(entry, table, "amount_eur")
            city = NETWORK
            if "city" in table:
                city = self.reference(entry, table, "city", city_keys) or "?"
            if year is None or cents is None or city == "?":
                continue
            whose = f'city "{city}"' if city else "the network"
            if (year, city) in first_entry:
                self.report(
                    entry,
                    "year",
                    f"{whose} has a budget for {year} already in {first_entry[year, city]}",
                )
                continue
            first_entry[year, city] = entry
            result.append(BudgetInfo(year=year, amount_cents=cents, city=city))
        return result

    def travel_rates(
        self, entries: list[tuple[str, dict[str, Any]]], *, city_keys: dict[str, str]
    ) -> list[TravelRate]:
        """Travel cost per person between two cities; one entry per pair, either way round
        (a rate applies in both directions)."""
        result: list[TravelRate] = []
        first_entry: dict[frozenset[str], str] = {}
        known = ", ".join(f'"{k}"' for k in city_keys) or "none yet"
        for entry, table in entries:
            self.unknown_fields(entry, table, _TRAVEL_RATE_FIELDS)
            ends = []
            for field in ("from", "to"):
                city = self.text(entry, table, field, required=True, max_len=_MAX_NAME)
                if city is not None and city not in city_keys:
                    self.report(entry, field, f'unknown city "{city}"; the cities are {known}')
                    city = None
                ends.append(city)
            value = table.get("eur_per_person")
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                self.report(entry, "eur_per_person", "must not be negative (euros per person)")
                cents = None
            else:
                cents = self.euros(entry, table, "eur_per_person")
            start, end = ends
            if start is None or end is None or cents is None:
                continue
            if start == end:
                self.report(entry, "to", f'"{end}" is the same city as from: name two cities')
                continue
            rate = TravelRate(start, end, cents)
            if rate.pair in first_entry:
                self.report(
                    entry,
                    "to",
                    f'"{start}"–"{end}" already has a rate in {first_entry[rate.pair]} '
                    "(a rate applies in both directions)",
                )
                continue
            first_entry[rate.pair] = entry
            result.append(rate)
        return result

    def holidays(self, entry: str, table: dict[str, Any]) -> str | None:
        """Optional: whose public holidays count, e.g. "DE" or "DE-BY" (`holidays` package)."""
        code = self.text(entry, table, "holidays", required=False, max_len=_MAX_HOLIDAYS)
        problem = code_problem(code) if code else None
        if problem:
            self.report(entry, "holidays", problem)
            return None
        return code
