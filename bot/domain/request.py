"""A request as people fill it in, and the rules it must satisfy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from bot.domain.directory import Directory

TITLE_MAX = 150
QUESTION_MAX = 3000
TRAVELLERS_MIN, TRAVELLERS_MAX = 1, 20
COST_MAX = Decimal("99999.99")
COST_TEXT_MAX = 40  # the modal's max_length for the cost field
FORMATS = ("bilateral", "workshop", "public_event", "site_visit", "online")
DIRECTIONS = ("visit", "invite", "online")


@dataclass(frozen=True)
class Problem:
    """A validation problem: the field, a text key and its parameters."""

    field: str
    key: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RawRequest:
    """The modal's values as typed; anything may be missing or malformed."""

    title: str | None = None
    question: str | None = None
    topic: str | None = None
    format: str | None = None
    direction: str | None = None
    own_city: str | None = None
    partners: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    travellers: str | None = None
    cost: str | None = None


@dataclass(frozen=True)
class RequestDraft:
    """A request that passed every check."""

    title: str
    question: str
    topic_key: str
    format: str
    direction: str
    own_city_key: str
    partner_keys: tuple[str, ...]
    date_from: date
    date_to: date
    travellers: int
    cost_eur: Decimal | None


def parse_amount(text: str) -> Decimal | None:
    """Euros as people type them: 450, 450,50, 1.250,50, 1,250.50, 1 250 €.

    German first: a single comma is the decimal comma; a single dot followed by
    exactly three digits groups thousands (1.250 = 1250).
    """
    s = re.sub(r"\s|€|(?i:eur)", "", text)
    if not s:
        return None
    if not re.fullmatch(r"-?\d[\d.,]*", s):
        raise ValueError(text)
    if "." in s and "," in s:
        decimal_sep: str | None = "." if s.rfind(".") > s.rfind(",") else ","
    elif s.count(",") == 1:
        decimal_sep = ","
    elif s.count(".") == 1 and len(s) - s.rfind(".") - 1 != 3:
        decimal_sep = "."
    else:
        decimal_sep = None
    whole, frac = s.rsplit(decimal_sep, 1) if decimal_sep else (s, "0")
    whole = whole.replace(".", "").replace(",", "")
    if not frac.isdigit() or not re.fullmatch(r"-?\d+", whole):
        raise ValueError(text)
    try:
        return Decimal(f"{whole}.{frac}").quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def validate(raw: RawRequest, directory: Directory, *, today: date) -> RequestDraft | list[Problem]:
    """The draft, or every problem found (one per field, the first that applies)."""
    problems: dict[str, Problem] = {}

    def problem(name: str, key: str, **params: object) -> None:
        problems.setdefault(name, Problem(name, key, params))

    title, question = _clean(raw.title), _clean(raw.question)
    for name, text, limit in (("title", title, TITLE_MAX), ("question", question, QUESTION_MAX)):
        if not text:
            problem(name, "err.empty")
        elif len(text) > limit:
            problem(name, "err.too_long", max=limit, n=len(text))

    if not raw.topic:
        problem("topic", "err.choose")
    elif directory.topic(raw.topic) is None:
        problem("topic", "err.topic_gone")
    if raw.format not in FORMATS:
        problem("format", "err.choose")
    if raw.direction not in DIRECTIONS:
        problem("direction", "err.choose")

    if not raw.own_city:
        problem("own_city", "err.choose")
    elif directory.city(raw.own_city) is None:
        problem("own_city", "err.city_gone")
    partners = tuple(dict.fromkeys(raw.partners))
    if not partners:
        problem("partners", "err.choose")
    elif any(directory.city(p) is None for p in partners):
        problem("partners", "err.city_gone")
    elif raw.own_city in partners:
        problem("partners", "err.own_city_partner", city=directory.city_name(raw.own_city))

    start, end = _date(raw.date_from), _date(raw.date_to)
    if start is None:
        problem("date_from", "err.date")
    elif start < today:
        problem("date_from", "err.start_past")
    if end is None:
        problem("date_to", "err.date")
    elif start is not None and end < start:
        problem("date_to", "err.end_before_start")

    travellers = None
    text = _clean(raw.travellers)
    if re.fullmatch(r"\d{1,3}", text) and TRAVELLERS_MIN <= int(text) <= TRAVELLERS_MAX:
        travellers = int(text)
    else:
        problem("travellers", "err.travellers")

    cost = None
    text = _clean(raw.cost)
    try:
        if len(text) > COST_TEXT_MAX:  # never cut: the rest may be digits
            problem("cost", "err.too_long", max=COST_TEXT_MAX, n=len(text))
        elif text:
            cost = parse_amount(text)
    except ValueError:
        problem("cost", "err.cost_nan")
    if cost is not None and cost < 0:
        problem("cost", "err.cost_negative")
    elif cost is not None and cost > COST_MAX:
        problem("cost", "err.cost_too_high")

    if problems:
        return list(problems.values())
    assert raw.topic and raw.format and raw.direction and raw.own_city
    assert start and end and travellers is not None
    return RequestDraft(
        title=title,
        question=question,
        topic_key=raw.topic,
        format=raw.format,
        direction=raw.direction,
        own_city_key=raw.own_city,
        partner_keys=partners,
        date_from=start,
        date_to=end,
        travellers=travellers,
        cost_eur=cost,
    )


@dataclass(frozen=True)
class Summary:
    """What everybody sees of a stored request."""

    id: int
    version: int
    status: str
    requester_id: str
    title: str
    question: str
    topic_key: str
    format: str
    direction: str
    own_city_key: str
    partner_keys: tuple[str, ...]
    date_from: date
    date_to: date
    travellers: int
    cost_eur: Decimal | None
    locale: str = "de"
    decided_by: str | None = None
    decision_comment: str | None = None

    def as_raw(self) -> RawRequest:
        """The request as form values, to reopen it for editing."""
        return RawRequest(
            title=self.title,
            question=self.question,
            topic=self.topic_key,
            format=self.format,
            direction=self.direction,
            own_city=self.own_city_key,
            partners=self.partner_keys,
            date_from=self.date_from.isoformat(),
            date_to=self.date_to.isoformat(),
            travellers=str(self.travellers),
            cost=f"{self.cost_eur:.2f}".replace(".", ",") if self.cost_eur is not None else None,
        )
