"""What a button names, typed: every button value is built and parsed here, nowhere else.

Formats (what messages already posted carry, so they must not change):
`"<id>:<version>"` for a request, `"<id>:<version>:<city>"` for naming a city's experts.
"""

from __future__ import annotations

from dataclasses import dataclass

ID_MAX = 2**31 - 1  # ids and versions are 32-bit integers in the database
VALUE_MAX = 40  # "<id>:<version>" is at most 21 characters; anything longer is not ours


def parse_id(text: object) -> int | None:
    """A positive id or version written in ASCII digits, or None."""
    if not isinstance(text, str) or not 0 < len(text) <= 10:
        return None
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= ID_MAX:
        return None
    return int(text)


@dataclass(frozen=True)
class RequestTarget:
    """A button about one request, made for one version of it."""

    request_id: int
    version: int

    @property
    def value(self) -> str:
        return f"{self.request_id}:{self.version}"

    @classmethod
    def parse(cls, value: object) -> RequestTarget | None:
        """The target a button value names, or None for anything malformed."""
        if not isinstance(value, str) or len(value) > VALUE_MAX:
            return None
        head, _, tail = value.partition(":")
        request_id, version = parse_id(head), parse_id(tail)
        if request_id is None or version is None:
            return None
        return cls(request_id, version)


@dataclass(frozen=True)
class NamingTarget:
    """A naming button: the request, its version, and the partner city whose experts to name."""

    request_id: int
    version: int
    city: str

    @property
    def value(self) -> str:
        return f"{self.request_id}:{self.version}:{self.city}"

    @classmethod
    def parse(cls, value: object) -> NamingTarget | None:
        """The target a naming button's value names, or None for anything malformed."""
        if not isinstance(value, str):
            return None
        head, _, city = value.rpartition(":")
        request = RequestTarget.parse(head)
        if request is None or not city:
            return None
        return cls(request.request_id, request.version, city)
