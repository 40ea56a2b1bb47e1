"""A request as people fill it in, and the rules it must satisfy.

The fields are defined once, in `ExchangeRequestBase` below (the table derives from it).
The validated draft and the summary everybody sees derive from it; the form's values
(`RawRequest`) are keyed by the same names, and `validate` walks the fields: text fields
are checked from their definition (required or optional, max length), the others by their
parser below.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic.fields import FieldInfo
from sqlmodel import Field, SQLModel

from bot.domain.directory import Directory
from bot.domain.money import parse_amount

# 0: nobody travels (online, or the experts come to us).
TRAVELLERS_MIN, TRAVELLERS_MAX = 0, 20
COST_MAX = Decimal("99999.99")
COST_TEXT_MAX = 40  # the modal's max_length for the cost field
FORMATS = ("bilateral", "workshop", "public_event", "site_visit", "online")
DIRECTIONS = ("visit", "invite", "online")


class ExchangeRequestBase(SQLModel):
    """What the requester typed into the modal."""

    title: str = Field(max_length=150)
    question: str = Field(max_length=3000)
    topic_key: str = Field(max_length=64)
    format: str = Field(max_length=20)
    direction: str = Field(max_length=20)
    own_city_key: str = Field(max_length=64)
    date_from: date
    date_to: date
    travellers: int
    # Stored as NUMERIC(10, 2): the table (models.tables) sets the column's type.
    cost_eur: Decimal | None = None
    # What the requester wants to take home (agreed with the host side at matching).
    goals: str | None = Field(default=None, max_length=1000)


def travelling(travellers: int, format: str, direction: str) -> int:
    """How many people travel: nobody for an online exchange, whatever number was typed."""
    return 0 if "online" in (format, direction) else travellers


def people_travelling(request: ExchangeRequestBase) -> int:
    return travelling(request.travellers, request.format, request.direction)


class RequestFields(ExchangeRequestBase):
    """Everything the requester fills in: the stored fields and the partner cities
    (a table of their own)."""

    partner_keys: tuple[str, ...] = ()


class RequestDraft(RequestFields):
    """A request that passed every check."""


class Summary(RequestFields):
    """What everybody sees of a stored request."""

    id: int
    version: int
    status: str
    requester_id: str
    locale: str = "de"
    decided_by: str | None = None
    decision_comment: str | None = None

    @classmethod
    def of(cls, request: SQLModel, partner_keys: tuple[str, ...]) -> Summary:
        """The summary of a stored request (the table row) and its partner cities."""
        return cls.model_validate(request, update={"partner_keys": partner_keys})

    def as_raw(self) -> RawRequest:
        """The request as form values, to reopen it for editing."""
        return as_raw(self)


# Field name -> its definition; the order is the form's.
FIELDS: dict[str, FieldInfo] = dict(RequestFields.model_fields)
STORED_FIELDS = frozenset(ExchangeRequestBase.model_fields)


def max_length(name: str) -> int | None:
    """The `max_length` a text field is defined with."""
    for meta in FIELDS[name].metadata:
        if hasattr(meta, "max_length"):
            return int(meta.max_length)
    return None


TITLE_MAX = max_length("title") or 0
QUESTION_MAX = max_length("question") or 0
GOALS_MAX = max_length("goals") or 0


class RawRequest(dict[str, Any]):
    """The form's values as typed, by field name; anything may be missing or malformed.

    Texts are str, partner cities a tuple of str, dates ISO strings; missing is None.
    """


@dataclass(frozen=True)
class Problem:
    """A validation problem: the field, a text key and its parameters."""

    field: str
    key: str
    params: dict[str, object] = dataclasses.field(default_factory=dict)


def _clean(text: object) -> str:
    return text.strip() if isinstance(text, str) else ""


def _date(text: object) -> date | None:
    try:
        return date.fromisoformat(text) if isinstance(text, str) and text else None
    except ValueError:
        return None


class Invalid(Exception):
    """A field's value does not pass: the text key and its parameters."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class _Form:
    raw: RawRequest
    directory: Directory
    today: date
    lang: str = "de"


Parser = Callable[[Any, _Form], Any]


def _text(name: str) -> Parser:
    """A text field: stripped; required unless it has a default; at most its max_length."""
    required = FIELDS[name].is_required()
    limit = max_length(name)

    def parse(value: object, _form: _Form) -> str | None:
        text = _clean(value)
        if not text:
            if required:
                raise Invalid("err.empty")
            return None
        if limit is not None and len(text) > limit:
            raise Invalid("err.too_long", max=limit, n=len(text))
        return text

    return parse


def _topic(value: object, form: _Form) -> str:
    if not isinstance(value, str) or not value:
        raise Invalid("err.choose")
    if form.directory.topic(value) is None:
        raise Invalid("err.topic_gone")
    return value


def _one_of(choices: tuple[str, ...]) -> Parser:
    def parse(value: object, _form: _Form) -> str:
        if value not in choices:
            raise Invalid("err.choose")
        return str(value)

    return parse


def _own_city(value: object, form: _Form) -> str:
    if not isinstance(value, str) or not value:
        raise Invalid("err.choose")
    if form.directory.city(value) is None:
        raise Invalid("err.city_gone")
    return value


def _partners(value: object, form: _Form) -> tuple[str, ...]:
    chosen = value if isinstance(value, tuple | list) else ()
    partners = tuple(dict.fromkeys(v for v in chosen if isinstance(v, str)))
    if not partners:
        raise Invalid("err.choose")
    if any(form.directory.city(p) is None for p in partners):
        raise Invalid("err.city_gone")
    own = form.raw.get("own_city_key")
    if own in partners:
        raise Invalid("err.own_city_partner", city=form.directory.city_name(str(own)))
    return partners


def _date_from(value: object, form: _Form) -> date:
    start = _date(value)
    if start is None:
        raise Invalid("err.date")
    if start < form.today:
        raise Invalid("err.start_past")
    return start


def _date_to(value: object, form: _Form) -> date:
    end, start = _date(value), _date(form.raw.get("date_from"))
    if end is None:
        raise Invalid("err.date")
    if start is not None and end < start:
        raise Invalid("err.end_before_start")
    return end


def _travellers(value: object, _form: _Form) -> int:
    text = _clean(value)
    if re.fullmatch(r"\d{1,3}", text) and TRAVELLERS_MIN <= int(text) <= TRAVELLERS_MAX:
        return int(text)
    raise Invalid("err.travellers")


def _cost(value: object, form: _Form) -> Decimal | None:
    text = _clean(value)
    if len(text) > COST_TEXT_MAX:  # never cut: the rest may be digits
        raise Invalid("err.too_long", max=COST_TEXT_MAX, n=len(text))
    try:
        cost = parse_amount(text, form.lang) if text else None
    except ValueError:
        raise Invalid("err.cost_nan") from None
    if cost is not None and cost < 0:
        raise Invalid("err.cost_negative")
    if cost is not None and cost > COST_MAX:
        raise Invalid("err.cost_too_high", max=COST_MAX)
    return cost


# Fields that are not plain text get their own parser; text fields need none.
PARSERS: dict[str, Parser] = {
    "topic_key": _topic,
    "format": _one_of(FORMATS),
    "direction": _one_of(DIRECTIONS),
    "own_city_key": _own_city,
    "partner_keys": _partners,
    "date_from": _date_from,
    "date_to": _date_to,
    "travellers": _travellers,
    "cost_eur": _cost,
}
for _name, _info in FIELDS.items():
    if _name not in PARSERS:
        assert _info.annotation in (str, str | None, "str", "str | None"), (
            f"request field {_name} is not text: give it a parser in PARSERS"
        )
        PARSERS[_name] = _text(_name)


def validate(
    raw: RawRequest, directory: Directory, *, today: date, lang: str = "de"
) -> RequestDraft | list[Problem]:
    """The draft, or every problem found (one per field, the first that applies); money is
    read as `lang` writes it (`bot.domain.money`)."""
    form = _Form(raw, directory, today, lang)
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name in FIELDS:
        try:
            values[name] = PARSERS[name](raw.get(name), form)
        except Invalid as invalid:
            problems.append(Problem(name, invalid.key, invalid.params))
    if problems:
        return problems
    return RequestDraft.model_validate(values)


def check_new_dates(date_from: date | None, date_to: date | None, *, today: date) -> list[Problem]:
    """New dates for a request that did not take place: both chosen, the first day after
    today (on its first day a request not yet decided lapses again), the last not before it."""
    problems = []
    if date_from is None:
        problems.append(Problem("date_from", "err.date"))
    elif date_from <= today:
        problems.append(Problem("date_from", "err.new_dates_start"))
    if date_to is None:
        problems.append(Problem("date_to", "err.date"))
    elif date_from is not None and date_to < date_from:
        problems.append(Problem("date_to", "err.end_before_start"))
    return problems


def as_raw(request: RequestFields) -> RawRequest:
    """A request's fields as the form shows them (dates ISO, money with a decimal comma)."""
    raw = RawRequest()
    for name in FIELDS:
        value = getattr(request, name)
        if value is None or isinstance(value, str | tuple):
            raw[name] = value
        elif isinstance(value, Decimal):
            raw[name] = f"{value:.2f}".replace(".", ",")
        elif isinstance(value, date):
            raw[name] = value.isoformat()
        else:
            raw[name] = str(value)
    return raw
