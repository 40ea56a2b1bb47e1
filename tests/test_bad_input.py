"""Bad input over HTTP, thrown by Hypothesis at the real app: odd Unicode, huge strings, odd
numbers, missing, extra and wrongly typed fields, malformed bodies.

Properties: the bot never answers 5xx and never reaches its "unexpected error" path; a
request submission either stores a request that keeps every rule, or answers
`response_action: errors` under the fields concerned and stores nothing; a button changes
nothing unless it is a legitimate click.

Each property runs as an inner `@given` function over one running bot, so every example
must stand on its own: fresh view ids, and counts taken before and after. Examples are
fewer on PostgreSQL; CR_FUZZ_SCALE=4 (say) runs more everywhere.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlmodel import col, select

from bot.domain.request import (
    COST_MAX,
    DIRECTIONS,
    FORMATS,
    QUESTION_MAX,
    TITLE_MAX,
    TRAVELLERS_MAX,
    TRAVELLERS_MIN,
    parse_amount,
)
from bot.slack import ids
from bot.slack.listeners.guards import REQUEST_BUTTONS
from bot.slack.views import request_modal
from bot.texts import t
from models import AuditEntry, ExchangeRequest, RequestPartner
from tests import payloads as p
from tests.flows import dms_to, form_values, last_dm, submit_request

INPUT_BLOCKS = (
    ids.B_TITLE,
    ids.B_QUESTION,
    ids.B_TOPIC,
    ids.B_FORMAT,
    ids.B_DIRECTION,
    ids.B_OWN_CITY,
    ids.B_PARTNERS,
    ids.B_DATE_FROM,
    ids.B_DATE_TO,
    ids.B_TRAVELLERS,
    ids.B_COST,
)
# Changing one field may make a neighbour wrong too (the own city among the partners,
# a start after the end); any other field must stay quiet.
RELATED = {
    ids.B_OWN_CITY: {ids.B_OWN_CITY, ids.B_PARTNERS},
    ids.B_DATE_FROM: {ids.B_DATE_FROM, ids.B_DATE_TO},
}
TODAY = date(2026, 11, 26)  # conftest.NOW in Berlin
CITIES = ("bremen", "leipzig", "nuernberg")
TOPICS = ("wohnen", "mobilitaet")
MISSING = object()


def examples(bot: Any, n: int) -> int:
    """n on SQLite, half on PostgreSQL; both scaled by CR_FUZZ_SCALE."""
    scale = float(os.environ.get("CR_FUZZ_SCALE", "1"))
    if bot.session_factory.engine.dialect.name != "sqlite":
        n = n // 2
    return max(5, int(n * scale))


def fuzz(bot: Any, n: int) -> settings:
    return settings(
        max_examples=examples(bot, n),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# ---- strategies -------------------------------------------------------------------------

CHARS = st.characters(codec="utf-8")  # every code point but surrogates
ODD_TEXTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\t\n\r\x0b\x0c",
    "\x1b[31mrot\x1b[0m",
    "\u202egnalsiT\u202c",  # right-to-left override
    "مرحبا بالعالم",
    "שלום עולם",
    "👩‍👩‍👧‍👦 Familie 🇩🇪",
    "\ufeffBOM",
    "\u200b",
    "\u00a0\u2003\u3000",
    "Ä" * TITLE_MAX,
    "x" * (TITLE_MAX + 1),
    " " + "y" * TITLE_MAX + " ",
    "q" * (QUESTION_MAX + 1),
    "<@U0LEI1> <!channel> <!here> &amp; *fett* _kursiv_ `code`",
    "'; DROP TABLE exchange_request; --",
    "{{7*7}} ${jndi:ldap://x}",
    "%s %d %(x)s {0}",
]
# Far past every max_length, yet within what Slack could ever send (1 MiB, see bot.entry.server).
HUGE = st.builds(lambda ch, n: ch * n, CHARS, st.integers(0, 8_000))
TEXT = st.one_of(st.text(CHARS, max_size=300), st.sampled_from(ODD_TEXTS), HUGE)
ODD_NUMBERS = [
    "nan",
    "NaN",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "-0",
    "+0",
    "0",
    "-0,00",
    "1e309",
    "-1e309",
    "1e-309",
    "20.5",
    "2,0",
    "٣",
    "٢٠",
    "١٢٣٤٥٦٧٨٩٠",
    "𝟑",
    "²",
    "²⁰²⁶",
    "٢٠٢٦",
    "½",
    "1_0",
    "0x10",
    " 5 ",
    "1",
    "20",
    "21",
    "-1",
    "99999999999999999999",
    "1.250,50",
    "1,250.50",
    "450 €",
    "99.999,99",
    "100000",
    "0.001",
    "1 2",
    "0" * 39 + "5000000",
]
NUMBER_TEXT = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.integers().map(str),
    st.floats().map(str),
    st.decimals().map(str),
    TEXT,
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(CHARS, max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(CHARS, max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
DATES = st.one_of(
    st.dates(date(2026, 11, 20), date(2027, 6, 30)).map(date.isoformat),
    st.dates().map(date.isoformat),
    st.sampled_from(
        [
            "2026-02-30",
            "20261207",
            "2026-W50-1",
            "٢٠٢٦-١٢-٠٧",
            "2026-12-07T10:00",
            "2026-12-7",
            "07.12.2026",
            "0000-00-00",
            "9999-12-31",
            "-2026-12-07",
            "",
        ]
    ),
    TEXT,
)


def _text_element(values: st.SearchStrategy[Any], kind: str = "plain_text_input") -> Any:
    return st.one_of(
        values.map(lambda v: p.text_value(v, type=kind)),
        JSON.map(lambda v: {"type": kind, "value": v}),
    )


def _select_element(good: tuple[str, ...], kind: str = "static_select") -> Any:
    return st.one_of(
        st.one_of(st.sampled_from(good), TEXT).map(lambda v: {**p.select_value(v), "type": kind}),
        st.just({"type": kind, "selected_option": None}),
        JSON.map(lambda v: {"type": kind, "selected_option": v}),
        JSON.map(lambda v: {"type": kind, "selected_option": {"value": v}}),
    )


ELEMENTS = {
    ids.B_TITLE: _text_element(TEXT),
    ids.B_QUESTION: _text_element(TEXT),
    ids.B_COST: _text_element(NUMBER_TEXT),
    ids.B_TRAVELLERS: st.one_of(
        NUMBER_TEXT.map(p.number_value),
        JSON.map(lambda v: {"type": "number_input", "value": v}),
    ),
    ids.B_TOPIC: _select_element(TOPICS),
    ids.B_FORMAT: _select_element(FORMATS),
    ids.B_DIRECTION: _select_element(DIRECTIONS, "radio_buttons"),
    ids.B_OWN_CITY: _select_element(CITIES),
    ids.B_PARTNERS: st.one_of(
        st.lists(st.one_of(st.sampled_from(CITIES), TEXT), max_size=5).map(p.multi_select_values),
        st.lists(JSON, max_size=4).map(
            lambda v: {"type": "multi_static_select", "selected_options": v}
        ),
        JSON.map(lambda v: {"type": "multi_static_select", "selected_options": v}),
    ),
    ids.B_DATE_FROM: st.one_of(
        DATES.map(p.date_value), JSON.map(lambda v: {"type": "datepicker", "selected_date": v})
    ),
    ids.B_DATE_TO: st.one_of(
        DATES.map(p.date_value), JSON.map(lambda v: {"type": "datepicker", "selected_date": v})
    ),
}


def _block(element: Any) -> Any:
    """A block of state.values as Slack sends it, with extra fields, under a wrong action
    id, not a block at all, or missing."""
    return st.one_of(
        element.map(lambda e: {ids.VALUE: e}),
        st.tuples(element, st.text(CHARS, max_size=8), JSON).map(
            lambda x: {ids.VALUE: {**x[0], x[1] or "extra": x[2]}}
        ),
        st.tuples(element, st.text(CHARS, max_size=8)).map(lambda x: {x[1]: x[0]}),
        JSON,
        st.just(MISSING),
    )


BLOCKS = {name: _block(element) for name, element in ELEMENTS.items()}


# ---- helpers ----------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def errors_logged() -> Iterator[list[logging.LogRecord]]:
    """Records at ERROR and above: the bot's "unexpected error" path, Bolt's failures."""
    handler = _Collect()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)


def _messages(records: list[logging.LogRecord]) -> list[str]:
    return [f"{r.name}: {r.getMessage()}\n{r.exc_text or ''}" for r in records]


_views = itertools.count(1)


def _count(bot: Any, model: Any) -> int:
    with bot.session_factory() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def _post(bot: Any, body: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    status, text, _ = bot.http.post(body, headers or p.sign(body))
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def _submit_state(bot: Any, state: Any, *, mutate: Any = None) -> tuple[int, Any, str]:
    """Submit the request modal with view.state.values = state; returns (status, body, key)."""
    view_id = f"VFUZZ{next(_views)}"
    payload = p.view_submission_payload(
        callback_id=ids.VIEW_REQUEST,
        user_id="U0REQ1",
        values={},
        view_id=view_id,
        private_metadata=json.dumps({"lang": "de"}),
        blocks=request_modal(bot.services.directory, "de")["blocks"],
    )
    payload["view"]["state"]["values"] = state
    if mutate is not None:
        mutate(payload)
    status, answer = _post(bot, p.form_body(payload))
    return status, answer, f"{p.TEAM_ID}:{view_id}"


def _typed(state: Any, block: str) -> str | None:
    """What was typed into a text block, when the block has the shape Slack sends."""
    block_values = state.get(block) if isinstance(state, dict) else None
    element = block_values.get(ids.VALUE) if isinstance(block_values, dict) else None
    value = element.get("value") if isinstance(element, dict) else None
    return value if isinstance(value, str) else None


def assert_stored_request_keeps_every_rule(
    bot: Any, key: str | None, state: Any, requester: str = "U0REQ1"
) -> None:
    """The request stored by submission `key` (None: the newest) keeps every rule."""
    with bot.session_factory() as s:
        query = select(ExchangeRequest).order_by(col(ExchangeRequest.id).desc()).limit(1)
        if key is not None:
            query = query.where(ExchangeRequest.submission_key == key)
        row = s.exec(query).one()
        partners = list(
            s.exec(select(RequestPartner.city_key).where(RequestPartner.request_id == row.id))
        )
        audit = list(s.exec(select(AuditEntry).where(AuditEntry.request_id == row.id)))
    assert (row.status, row.requester_id, row.version) == ("submitted", requester, 1)
    assert 1 <= len(row.title) <= TITLE_MAX and row.title == row.title.strip()
    assert 1 <= len(row.question) <= QUESTION_MAX and row.question == row.question.strip()
    assert "\x00" not in row.title + row.question
    typed = _typed(state, ids.B_TITLE)
    assert typed is not None and row.title == typed.replace("\x00", "").strip()
    assert row.topic_key in TOPICS and row.format in FORMATS and row.direction in DIRECTIONS
    assert row.own_city_key in CITIES
    assert partners and set(partners) <= set(CITIES) and row.own_city_key not in partners
    assert TODAY <= row.date_from <= row.date_to
    assert TRAVELLERS_MIN <= row.travellers <= TRAVELLERS_MAX  # 0: nobody travels
    assert row.cost_eur is None or Decimal(0) <= row.cost_eur <= COST_MAX
    # The numbers are what was typed, never a cut or rounded version of it.
    cost = (_typed(state, ids.B_COST) or "").replace("\x00", "").strip()
    assert row.cost_eur == (parse_amount(cost) if cost else None)
    assert row.travellers == int((_typed(state, ids.B_TRAVELLERS) or "").replace("\x00", ""))
    assert [(a.action, a.to_status) for a in audit] == [("submit", "submitted")]
    # Told once, with its number.
    [told] = dms_to(bot, requester)
    assert f"#{row.id}" in told.params["text"]


def check_submission(
    bot: Any,
    status: int,
    answer: Any,
    key: str,
    state: Any,
    logged: list[logging.LogRecord],
    allowed: set[str],
    before: int,
) -> None:
    assert status == 200, (status, answer)
    assert not logged, _messages(logged)
    if answer == "":  # the modal closes: the request is stored and keeps every rule
        assert _count(bot, ExchangeRequest) == before + 1
        assert_stored_request_keeps_every_rule(bot, key, state)
        return
    assert isinstance(answer, dict) and answer.get("response_action") == "errors", answer
    errors = answer["errors"]
    assert errors and set(errors) <= allowed, errors
    generic = {t(lang, k) for lang in ("de", "en") for k in ("error.generic", "error.db")}
    assert all(isinstance(text, str) and text and text not in generic for text in errors.values())
    assert _count(bot, ExchangeRequest) == before
    assert bot.slack.calls == []  # nobody was told anything


# ---- the request modal ------------------------------------------------------------------


def test_one_odd_field_is_refused_under_that_field_or_stored_valid(bot):
    @fuzz(bot, 300)
    @given(field=st.sampled_from(INPUT_BLOCKS), data=st.data())
    def one_field(field: str, data: st.DataObject) -> None:
        state: dict[str, Any] = form_values()
        block = data.draw(BLOCKS[field], label=field)
        if block is MISSING:
            del state[field]
        else:
            state[field] = block
        before = _count(bot, ExchangeRequest)
        bot.slack.clear()
        with errors_logged() as logged:
            status, answer, key = _submit_state(bot, state)
        check_submission(
            bot, status, answer, key, state, logged, RELATED.get(field, {field}), before
        )

    one_field()


def test_a_whole_form_of_odd_fields_is_refused_or_stored_valid(bot):
    fields = st.fixed_dictionaries({name: BLOCKS[name] for name in INPUT_BLOCKS})
    extra = st.dictionaries(st.text(CHARS, max_size=12), JSON, max_size=3)

    @fuzz(bot, 150)
    @given(fields=fields, extra=extra)
    def whole_form(fields: dict[str, Any], extra: dict[str, Any]) -> None:
        state = {**extra, **{k: v for k, v in fields.items() if v is not MISSING}}
        before = _count(bot, ExchangeRequest)
        bot.slack.clear()
        with errors_logged() as logged:
            status, answer, key = _submit_state(bot, state)
        check_submission(bot, status, answer, key, state, logged, set(INPUT_BLOCKS), before)

    whole_form()


def _visible(text: str) -> bool:
    return bool(text.replace("\x00", "").strip())


def test_valid_forms_with_odd_but_allowed_values_are_stored_as_typed(bot):
    """The other side: what the rules allow is stored, exactly as typed (trimmed)."""
    # NUL, tabs and direction marks often, since PostgreSQL cannot store NUL in text.
    # (st.text would fold these into its alphabet and hardly ever draw them.)
    chars = st.one_of(st.sampled_from(["\x00", "\t", "\u202e", "\u200b"]), CHARS)
    title = st.lists(chars, min_size=1, max_size=TITLE_MAX).map("".join).filter(_visible)
    question = st.one_of(
        st.lists(chars, min_size=1, max_size=400).map("".join), st.just("ö" * QUESTION_MAX)
    )
    start = st.dates(TODAY, date(2027, 12, 31))

    @fuzz(bot, 60)
    @given(
        title=title,
        question=question,
        own=st.sampled_from(CITIES),
        data=st.data(),
        start=start,
        days=st.integers(0, 30),
        travellers=st.integers(TRAVELLERS_MIN, TRAVELLERS_MAX),
        cost=st.one_of(st.none(), st.decimals(0, COST_MAX, places=2)),
    )
    def valid(title, question, own, data, start, days, travellers, cost) -> None:
        partners = data.draw(
            st.lists(st.sampled_from([c for c in CITIES if c != own]), min_size=1, unique=True)
        )
        end = date.fromordinal(start.toordinal() + days)
        state = form_values(
            **{
                ids.B_TITLE: p.text_value(title),
                ids.B_QUESTION: p.text_value(question),
                ids.B_OWN_CITY: p.select_value(own),
                ids.B_PARTNERS: p.multi_select_values(partners),
                ids.B_DATE_FROM: p.date_value(start.isoformat()),
                ids.B_DATE_TO: p.date_value(end.isoformat()),
                ids.B_TRAVELLERS: p.number_value(travellers),
                ids.B_COST: p.text_value(None if cost is None else str(cost)),
            }
        )
        assume(_visible(question))
        before = _count(bot, ExchangeRequest)
        bot.slack.clear()
        with errors_logged() as logged:
            status, answer, key = _submit_state(bot, state)
        assert (status, answer) == (200, ""), answer
        assert not logged, _messages(logged)
        assert _count(bot, ExchangeRequest) == before + 1
        assert_stored_request_keeps_every_rule(bot, key, state)
        with bot.session_factory() as s:
            row = s.exec(select(ExchangeRequest).where(ExchangeRequest.submission_key == key)).one()
        assert (row.question, row.own_city_key) == (question.replace("\x00", "").strip(), own)
        assert (row.date_from, row.date_to, row.travellers) == (start, end, travellers)
        assert row.cost_eur == cost

    valid()


def test_every_odd_number_is_stored_exactly_or_refused_under_its_field(bot):
    """Each odd number, in the cost and in the travellers field: no sampling luck needed."""
    for field in (ids.B_COST, ids.B_TRAVELLERS):
        for number in ODD_NUMBERS:
            element = p.text_value(number) if field == ids.B_COST else p.number_value(number)
            state = form_values(**{field: element})
            before = _count(bot, ExchangeRequest)
            bot.slack.clear()
            with errors_logged() as logged:
                status, answer, key = _submit_state(bot, state)
            check_submission(bot, status, answer, key, state, logged, {field}, before)


def _set(path: tuple[str, ...], value: Any) -> Any:
    def mutate(payload: dict[str, Any]) -> None:
        node = payload
        for step in path[:-1]:
            node = node[step]
        if value is MISSING:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value

    return mutate


def test_odd_views_users_and_metadata_never_fail_and_store_nothing_invalid(bot):
    """Odd shapes around state.values: the view, its state, metadata, user, team."""
    where = st.sampled_from(
        [
            ("view", "state", "values"),
            ("view", "state"),
            ("view", "private_metadata"),
            ("view", "blocks"),
            ("view", "id"),
            ("view",),
            ("user",),
            ("user", "id"),
            ("team",),
            ("team", "id"),
            ("type",),
        ]
    )
    value = st.one_of(
        st.just(MISSING),
        JSON,
        TEXT,
        st.sampled_from(
            [
                '{"edit": "abc"}',
                '{"edit": 1, "v": "²"}',
                '{"edit": 99999999999999999999, "v": 1}',
                '{"edit": -1}',
                '{"lang": ["de"]}',
                "[1]",
                "null",
            ]
        ),
    )

    @fuzz(bot, 150)
    @given(where=where, value=value)
    def odd(where: tuple[str, ...], value: Any) -> None:
        state = form_values()
        before = _count(bot, ExchangeRequest)
        audit_before = _count(bot, AuditEntry)
        bot.slack.clear()
        with errors_logged() as logged:
            status, answer, _ = _submit_state(bot, state, mutate=_set(where, value))
        assert status < 500 and not logged, (status, answer, _messages(logged))
        if status != 200:
            assert status in (400, 404) and _count(bot, ExchangeRequest) == before
            return
        if answer == "":
            # Only the odd bits Slack ignores (ids, blocks, metadata) may still file it.
            assert _count(bot, ExchangeRequest) in (before, before + 1)
            if _count(bot, ExchangeRequest) == before + 1:
                requester = value if where == ("user", "id") else "U0REQ1"
                assert_stored_request_keeps_every_rule(bot, None, state, requester)
            return
        assert isinstance(answer, dict), answer
        if answer.get("response_action") == "errors":
            assert set(answer["errors"]) <= set(INPUT_BLOCKS)
        else:  # an edit of a request that does not exist: said in the modal
            assert answer.get("response_action") == "update", answer
        assert _count(bot, ExchangeRequest) == before
        assert _count(bot, AuditEntry) == audit_before

    odd()


# ---- the slash command ------------------------------------------------------------------


def test_command_text_and_fields_never_fail_and_store_nothing(bot):
    words = st.sampled_from(["", "help", "list", "upcoming", "report", "new", "LIST", "Hilfe"])
    text = st.one_of(
        TEXT,
        st.tuples(words, st.one_of(NUMBER_TEXT, TEXT)).map(" ".join),
    )
    users = st.one_of(
        st.sampled_from(["U0REQ1", "U0COORD1", "U0LEI1", "U0OUT1"]),
        st.text(CHARS, max_size=40),
        st.just(MISSING),
    )
    extra = st.dictionaries(
        st.sampled_from(["user_id", "team_id", "trigger_id", "command", "channel_id", "x"]),
        st.one_of(st.just(MISSING), st.text(CHARS, max_size=30)),
        max_size=2,
    )

    @fuzz(bot, 150)
    @given(text=text, user=users, extra=extra)
    def command(text: str, user: Any, extra: dict[str, Any]) -> None:
        fields: dict[str, Any] = p.slash_command_fields(
            text=text, user_id="U0REQ1", response_url=bot.slack.response_url("cmd")
        )
        fields["user_id"] = user
        fields.update(extra)
        body = urlencode({k: v for k, v in fields.items() if v is not MISSING})
        before = _count(bot, ExchangeRequest)
        bot.slack.clear()
        with errors_logged() as logged:
            status, answer = _post(bot, body)
        assert status < 500, (status, answer)
        assert not logged, _messages(logged)
        assert _count(bot, ExchangeRequest) == before
        if status == 200 and isinstance(answer, dict):
            # A private answer, within what Slack shows.
            assert answer.get("response_type", "ephemeral") == "ephemeral"
            assert len(answer.get("text", "")) <= 3000

    command()


def test_every_odd_number_after_each_command_word_is_answered_privately(bot):
    for word in ("report", "list", "upcoming", "help", "new"):
        for number in ODD_NUMBERS:
            body = p.slash_command(
                user_id="U0COORD1",
                text=f"{word} {number}",
                response_url=bot.slack.response_url("cmd"),
            )
            with errors_logged() as logged:
                status, answer = _post(bot, body)
            assert status == 200, (word, number, answer)
            assert not logged, (word, number, _messages(logged))
    assert _count(bot, ExchangeRequest) == 0


# ---- bodies that are not Slack payloads at all -----------------------------------------


MALFORMED = [
    "",
    "{",
    "[]",
    "null",
    "payload=",
    "payload=%7B",
    "payload=null",
    "payload=%5B%5D",
    "payload=1",
    '{"type": "event_callback", "event": "x"}',
    '{"type": "event_callback", "event": {"type": 1}}',
    '{"type": "event_callback", "event": ["type"]}',
    '{"type": "event_callback", "event": {"type": "app_home_opened"}}',
    '{"type": "event_callback", "event": {"type": "app_home_opened", "user": [1]}}',
    "payload=%7B%22type%22%3A%22block_actions%22%2C%22actions%22%3A%5Bnull%5D%7D",
    "command=/cr-request",
    "command=/cr-request&text=%FF%FE",
    "a=%ZZ&b",
    "\x00",
    *(
        "payload=" + quote(json.dumps(payload))
        for payload in (
            {"type": "view_submission", "user": {"id": "U0REQ1"}, "view": "x"},
            {"type": "view_submission", "user": {"id": "U0REQ1"}, "view": None},
            {"type": "view_submission", "user": {"id": "U0REQ1"}, "view": [1]},
            {"type": "view_submission", "user": {"id": ["U0REQ1"]}, "view": {}},
            {"type": "view_submission", "user": "U0REQ1", "view": {"state": None}},
            {"type": "block_actions", "user": {"id": "U0LEI1"}, "actions": "x"},
            {"type": "block_actions", "user": {"id": "U0LEI1"}, "actions": [None]},
            {"type": "block_actions", "user": {"id": "U0LEI1"}, "container": "x", "actions": []},
            {"type": "shortcut", "user": {"id": "U0REQ1"}, "callback_id": "cr_request_shortcut"},
            {"type": "x", "view": True},
        )
    ),
]


def test_malformed_bodies_are_refused_without_5xx(bot):
    interaction = st.fixed_dictionaries(
        {"type": st.sampled_from(["block_actions", "view_submission", "shortcut", "x"])},
        optional={
            "user": JSON,
            "team": JSON,
            "view": JSON,
            "actions": JSON,
            "container": JSON,
            "callback_id": JSON,
            "trigger_id": JSON,
        },
    )
    body = st.one_of(
        st.text(CHARS, max_size=200),
        JSON.map(json.dumps),
        JSON.map(lambda v: "payload=" + quote(json.dumps(v))),
        interaction.map(lambda v: "payload=" + quote(json.dumps(v))),
        interaction.map(json.dumps),
        st.text(CHARS, max_size=50).map(lambda s: "payload=" + quote(s)),
        st.sampled_from(MALFORMED),
    )

    def refused(body: str) -> None:
        before = _count(bot, ExchangeRequest), _count(bot, AuditEntry)
        bot.slack.clear()
        with errors_logged() as logged:
            status, answer = _post(bot, body)
        assert status < 500, (body[:200], status, answer)
        assert not logged, (body[:200], _messages(logged))
        assert (_count(bot, ExchangeRequest), _count(bot, AuditEntry)) == before
        assert not [c for c in bot.slack.calls if c.method.startswith("chat.")]

    for known in MALFORMED:
        refused(known)
    fuzz(bot, 200)(given(body=body)(refused))()


# ---- buttons ----------------------------------------------------------------------------

BUTTON_VALUES = [
    "1:1",
    "1:2",
    "01:1",
    "1:1:bremen",
    "1:1:",
    "-1:0",
    "0:0",
    "2:1",
    "99999999999999999999:1",
    "2147483648:1",
    "1:99999999999999999999",
    "a:b",
    ":",
    "",
    "1",
    "١:١",
    "1 :1",
    "1:1" + "0" * 100,
    "9" * 100_000,
]
_NAMES = re.compile(r"([0-9]+):([0-9]+)")


def _names(value: Any) -> tuple[int, int] | None:
    """The (request, version) a well-formed button value names."""
    match = _NAMES.fullmatch(value) if isinstance(value, str) and len(value) <= 40 else None
    return (int(match[1]), int(match[2])) if match else None


def test_buttons_change_nothing_unless_the_click_is_legitimate(bot):
    assert submit_request(bot, "U0REQ1") == (200, "")
    messages = {
        "decision": last_dm(bot, "U0LEI1"),
        "decision2": last_dm(bot, "U0LEI2"),
        "confirmation": last_dm(bot, "U0REQ1"),
    }
    users = st.one_of(
        st.sampled_from(["U0LEI1", "U0LEI2", "U0REQ1", "U0BRE1", "U0COORD1", "U0OUT1"]),
        st.text(CHARS, max_size=40),
        JSON,
    )
    values = st.one_of(st.sampled_from(BUTTON_VALUES), TEXT, JSON)
    actions = st.sampled_from([*REQUEST_BUTTONS, ids.A_NEW_REQUEST, "cr_unknown", ""])
    where = st.one_of(
        st.sampled_from([*messages, "never_posted", "home_tab"]),
        JSON.map(lambda v: ("container", v)),
    )

    def state() -> tuple[Any, ...]:
        with bot.session_factory() as s:
            row = s.get(ExchangeRequest, 1)
            assert row is not None
            return (row.status, row.version, _count(bot, AuditEntry), _count(bot, ExchangeRequest))

    def legitimate(action: str, value: Any, user: Any, where: Any) -> bool:
        named = _names(value)
        if isinstance(where, tuple):  # a container of its own: only one without a message
            container = where[1]
            from_message = not isinstance(container, dict) or (
                container.get("type") == "message" and not container.get("is_ephemeral")
            )
            if from_message:
                return False
        if named is None or named[0] != 1 or where == "never_posted":
            return False
        if action == ids.A_APPROVE:
            return named[1] == 1 and user in ("U0LEI1", "U0LEI2", "U0COORD1")
        return action == ids.A_CANCEL and user in ("U0REQ1", "U0COORD1")

    start = state()
    assert start[:2] == ("submitted", 1)

    @fuzz(bot, 200)
    @given(action=actions, value=values, user=users, where=where)
    def press(action: str, value: Any, user: Any, where: Any) -> None:
        assume(not legitimate(action, value, user, where))
        if isinstance(where, str) and where in messages:
            message = messages[where]
            channel, ts = message.response["channel"], message.response["ts"]
        else:
            channel, ts = "D0NEVER", "1700000000.999999"
        payload = p.block_actions_payload(
            action_id=action,
            value="",
            user_id="U0OUT1",
            channel_id=channel,
            message_ts=ts,
            container_type="view" if where == "home_tab" else "message",
            response_url=bot.slack.response_url("fuzz"),
        )
        payload["actions"][0]["value"] = value
        payload["user"]["id"] = user
        if isinstance(where, tuple):
            payload["container"] = where[1]
        with errors_logged() as logged:
            status, answer = _post(bot, p.form_body(payload))
        assert status < 500, (status, answer)
        assert not logged, _messages(logged)
        assert state() == start

    press()
    # The same app does act on the one legitimate click.
    status, _ = _post(
        bot,
        p.block_actions(
            action_id=ids.A_APPROVE,
            value="1:1",
            user_id="U0LEI1",
            channel_id=messages["decision"].response["channel"],
            message_ts=messages["decision"].response["ts"],
            response_url=bot.slack.response_url("ok"),
        ),
    )
    assert status == 200
    assert state()[:2] == ("approved", 2)


def test_every_odd_button_value_on_every_button_changes_nothing(bot):
    """Each odd value on each button, from its message and from the Home tab, by someone who
    may press it: refused, never an error."""
    submit_request(bot, "U0REQ1")
    decision = last_dm(bot, "U0LEI1")
    presser = {ids.A_NAME_EXPERTS: "U0BRE3", ids.A_MARK_MATCHED: "U0COORD1"}
    deciders = (ids.A_APPROVE, ids.A_DECLINE, ids.A_ASK)
    with bot.session_factory() as s:
        start = s.get(ExchangeRequest, 1).version, _count(bot, AuditEntry)
    for action in REQUEST_BUTTONS:
        user = presser.get(action, "U0LEI1" if action in deciders else "U0REQ1")
        for value in BUTTON_VALUES:
            if _names(value) is not None and _names(value)[0] == 1:
                continue  # names request 1: may well be a legitimate click
            for container in ("message", "view"):
                body = p.block_actions(
                    action_id=action,
                    value=value,
                    user_id=user,
                    channel_id=decision.response["channel"],
                    message_ts=decision.response["ts"],
                    container_type=container,
                    response_url=bot.slack.response_url("odd"),
                )
                with errors_logged() as logged:
                    status, answer = _post(bot, body)
                assert status == 200, (action, value, container, answer)
                assert not logged, (action, value, container, _messages(logged))
    with bot.session_factory() as s:
        assert (s.get(ExchangeRequest, 1).version, _count(bot, AuditEntry)) == start


def test_form_bodies_with_odd_payload_encodings(bot):
    """Not JSON inside payload=, doubled keys, other charsets: refused, never 5xx."""
    good = p.view_submission(callback_id=ids.VIEW_REQUEST, user_id="U0REQ1", values=form_values())
    bodies = [
        good + "&payload=%7B%7D",
        "payload=%7B%7D&" + good,
        good.replace("payload=", "payload[]="),
        good.encode("utf-8").decode("latin-1"),
        good[: len(good) // 2],
        good + "%",
    ]
    before = _count(bot, ExchangeRequest)
    for body in bodies:
        with errors_logged() as logged:
            status, answer = _post(bot, body)
        assert status < 500, (body[:80], status, answer)
        assert not logged, _messages(logged)
    assert _count(bot, ExchangeRequest) <= before + 1
