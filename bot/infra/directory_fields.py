"""The directory file's fields, checked one at a time: keys, names, Slack user IDs, e-mail
domains, years and euros. A problem is collected (entry, field, message), never raised, so
that one check shows everything to fix."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

_KEY_RE = re.compile(r"[a-z0-9_-]+")
_USER_ID_RE = re.compile(r"[UW][A-Z0-9]{2,}")
_DOMAIN_RE = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})"
)

# Column sizes in models.tables: longer values would fail only at sync time.
_MAX_KEY = 64
_MAX_USER_ID = 32

_YEARS = (2000, 2100)
_MAX_BUDGET_EUR = 100_000_000


def url_problem(url: str) -> str | None:
    """Why `url` is no web page people can open (None: it is)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc or " " in url:
        return f'"{url}" is not a web address: write it in full, like "https://example.org/privacy"'
    return None


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the directory file, located by entry and field."""

    entry: str
    field: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.entry
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


class FieldReader:
    """The checks of single fields; `problems` collects what is wrong. The sections are read
    by `bot.infra.directory_file`'s reader, built on this one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        # Valid keys per kind with their entry, even where the entry has other problems,
        # so a city missing its name does not also make its topic contacts "unknown".
        self.seen: dict[str, dict[str, str]] = {"city": {}, "topic": {}}

    def report(self, entry: str, field: str, message: str) -> None:
        self.problems.append(Problem(entry, field, message))

    def year(self, entry: str, table: dict[str, Any]) -> int | None:
        if "year" not in table:
            self.report(entry, "year", "missing (required)")
            return None
        value = table["year"]
        low, high = _YEARS
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.report(entry, "year", f"must be a year like 2027 (no quotes), {low}–{high}")
            return None
        return value

    def euros(self, entry: str, table: dict[str, Any], field: str) -> int | None:
        """An amount in euros (a number, at most two decimals), as cents."""
        if field not in table:
            self.report(entry, field, "missing (required)")
            return None
        value = table[field]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.report(entry, field, "must be a number of euros without quotes, like 20000")
            return None
        amount = Decimal(str(value))
        if amount < 0 or amount > _MAX_BUDGET_EUR:
            self.report(entry, field, f"must be between 0 and {_MAX_BUDGET_EUR}")
            return None
        if amount != amount.quantize(Decimal("0.01")):
            self.report(entry, field, "at most two decimals (cents)")
            return None
        return int(amount * 100)

    def unknown_fields(self, entry: str, table: dict[str, Any], known: Sequence[str]) -> None:
        for name in table:
            if name not in known:
                self.report(entry, name, f"unknown field; expected {', '.join(known)}")

    def text(
        self, entry: str, table: dict[str, Any], field: str, *, required: bool, max_len: int
    ) -> str | None:
        if field not in table:
            if required:
                self.report(entry, field, "missing (required)")
            return None
        value = table[field]
        if not isinstance(value, str):
            self.report(entry, field, "must be text in quotes")
            return None
        value = value.strip()
        if not value:
            self.report(entry, field, "must not be empty")
            return None
        if len(value) > max_len:
            self.report(entry, field, f"longer than {max_len} characters")
            return None
        return value

    def line(self, entry: str, table: dict[str, Any], field: str, *, max_len: int) -> str | None:
        """Optional text of one line (printed as it is, e.g. on a certificate)."""
        value = self.text(entry, table, field, required=False, max_len=max_len)
        if value is not None and ("\n" in value or "\r" in value):
            self.report(entry, field, "must be one line (no line breaks)")
            return None
        return value

    def key(self, entry: str, table: dict[str, Any], kind: str) -> str | None:
        key = self.text(entry, table, "key", required=True, max_len=_MAX_KEY)
        if key is None:
            return None
        if key != table["key"] or not _KEY_RE.fullmatch(key):
            self.report(
                entry,
                "key",
                f'"{table["key"]}" is not a valid key: use lowercase letters, digits, "-" and "_"',
            )
            return None
        seen = self.seen[kind]
        if key in seen:
            self.report(entry, "key", f'duplicate {kind} key "{key}", also in {seen[key]}')
            return None
        seen[key] = entry
        return key

    def reference(
        self, entry: str, table: dict[str, Any], field: str, known: set[str]
    ) -> str | None:
        value = self.text(entry, table, field, required=True, max_len=_MAX_KEY)
        if value is None:
            return None
        if value not in known:
            self.report(entry, field, f'unknown {field} key "{value}"')
            return None
        return value

    def user_ids(
        self, entry: str, table: dict[str, Any], field: str, *, empty_message: str | None
    ) -> tuple[str, ...]:
        """Slack user IDs; `empty_message` set means at least one is required."""
        values = self.string_list(entry, table, field, example="U0123ABCD")
        if values is None:
            return ()
        if not table.get(field) and empty_message:
            self.report(entry, field, empty_message)
            return ()
        result: list[str] = []
        for value in values:
            if not _USER_ID_RE.fullmatch(value) or len(value) > _MAX_USER_ID:
                self.report(entry, field, f'"{value}" is not a Slack user ID (like "U0123ABCD")')
            elif value in result:
                self.report(entry, field, f'"{value}" is listed twice')
            else:
                result.append(value)
        return tuple(result)

    def domains(
        self, entry: str, table: dict[str, Any], city_key: str, owner: dict[str, str]
    ) -> tuple[str, ...]:
        """E-mail domains; `owner` maps domains seen so far to their city, to catch overlaps."""
        values = self.string_list(entry, table, "email_domains", example="leipzig.de")
        result: list[str] = []
        for value in values or []:
            domain = value.strip().lower()
            if not _DOMAIN_RE.fullmatch(domain) or len(domain) > 253:
                hint = ", without the @" if domain.startswith("@") else ""
                self.report(
                    entry, "email_domains", f'"{value}" is not a domain (like "leipzig.de"{hint})'
                )
                continue
            if domain in result:
                self.report(entry, "email_domains", f'"{value}" is listed twice')
                continue
            # An address matching two cities would land in whichever comes first.
            clash = next(
                (
                    (other, city)
                    for other, city in owner.items()
                    if domain == other
                    or domain.endswith("." + other)
                    or other.endswith("." + domain)
                ),
                None,
            )
            if clash:
                other, city = clash
                self.report(
                    entry,
                    "email_domains",
                    f'"{value}" overlaps with "{other}" of city "{city}"',
                )
                continue
            result.append(domain)
        for domain in result:
            owner[domain] = city_key
        return tuple(result)

    def string_list(
        self, entry: str, table: dict[str, Any], field: str, *, example: str
    ) -> list[str] | None:
        """The list of strings in `field`, [] when absent, None (reported) when malformed."""
        if field not in table:
            return []
        value = table[field]
        if not isinstance(value, list):
            self.report(entry, field, f'must be a list in brackets, like ["{example}"]')
            return None
        good = []
        for item in value:
            if isinstance(item, str):
                good.append(item)
            else:
                self.report(entry, field, f"{item!r} must be text in quotes")
        return good
