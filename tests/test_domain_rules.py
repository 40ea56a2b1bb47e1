"""Table-driven unit tests of the domain: every transition, every validation rule, every
permission. Plain Python, no database, no Slack: they run in milliseconds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from bot.domain import answers, rules
from bot.domain.errors import Refused
from bot.domain.request import (
    COST_MAX,
    FIELDS,
    QUESTION_MAX,
    TITLE_MAX,
    RawRequest,
    RequestDraft,
    Summary,
    as_raw,
    validate,
)
from bot.domain.states import Action, Status, TransitionNotAllowed, next_status
from bot.infra.directory_file import parse_directory
from tests.conftest import DIRECTORY

DIR = parse_directory(DIRECTORY)
TODAY = date(2026, 11, 26)

S, N, A, M = Status.SUBMITTED, Status.NEEDS_INFO, Status.APPROVED, Status.MATCHED
D, C, X, L = Status.DECLINED, Status.CANCELLED, Status.COMPLETED, Status.LAPSED

# The life of a request (PRODUCT.md), written out: action -> {from: to}.
LIFE = {
    Action.APPROVE: {S: A},
    Action.DECLINE: {S: D},
    Action.ASK: {S: N},
    Action.ANSWER: {N: S},
    Action.EDIT: {S: S, N: S},
    Action.MATCH: {A: M},
    Action.CANCEL: {S: C, N: C, A: C, M: C},
    # Without every partner city's experts it does not take place: it lapses, never completes.
    Action.COMPLETE: {M: X},
    Action.LAPSE: {S: L, N: L, A: L},
    Action.TOOK_PLACE: {L: M},
    # Undecided on its first day, its requester may give it new dates: decided anew.
    Action.NEW_DATES: {L: S},
}


@pytest.mark.parametrize("action", list(LIFE))
@pytest.mark.parametrize("current", list(Status))
def test_every_transition_goes_where_the_life_of_a_request_says(action, current):
    expected = LIFE[action].get(current)
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            next_status(action, current)
    else:
        assert next_status(action, current) == expected


def test_the_status_sets():
    assert {S, N, A, M} == rules.OPEN
    assert {S} == rules.DECIDABLE
    assert {S, N} == rules.EDITABLE
    assert {A} == rules.NAMING
    assert {A, M} == rules.UNDER_WAY
    assert {A, M, X} == rules.AGREED
    assert {D, C, X, L} == rules.FINAL
    assert {M} == rules.HELD and {M, X} == rules.TOOK_PLACE
    assert {S, N, A} == rules.LAPSABLE
    assert set(Status) == rules.OPEN | rules.FINAL and not rules.OPEN & rules.FINAL


# --- validation ----------------------------------------------------------------------

GOOD = RawRequest(
    title="  Quartiersschulen  ",
    question="Wie macht ihr das?",
    topic_key="wohnen",
    format="workshop",
    direction="visit",
    own_city_key="leipzig",
    partner_keys=("bremen", "nuernberg", "bremen"),
    date_from="2026-12-07",
    date_to="2026-12-09",
    travellers="3",
    cost_eur="1.250,50",
)


def test_a_good_form_becomes_a_clean_draft():
    draft = validate(GOOD, DIR, today=TODAY)
    assert draft == RequestDraft(
        title="Quartiersschulen",
        question="Wie macht ihr das?",
        topic_key="wohnen",
        format="workshop",
        direction="visit",
        own_city_key="leipzig",
        partner_keys=("bremen", "nuernberg"),
        date_from=date(2026, 12, 7),
        date_to=date(2026, 12, 9),
        travellers=3,
        cost_eur=Decimal("1250.50"),
    )


@pytest.mark.parametrize(
    ("changes", "field", "key", "params"),
    [
        ({"title": "   "}, "title", "err.empty", {}),
        ({"title": None}, "title", "err.empty", {}),
        ({"title": "x" * (TITLE_MAX + 1)}, "title", "err.too_long", {"max": TITLE_MAX, "n": 151}),
        ({"question": ""}, "question", "err.empty", {}),
        (
            {"question": "y" * (QUESTION_MAX + 5)},
            "question",
            "err.too_long",
            {"max": QUESTION_MAX, "n": QUESTION_MAX + 5},
        ),
        ({"topic_key": None}, "topic_key", "err.choose", {}),
        ({"topic_key": "kultur"}, "topic_key", "err.topic_gone", {}),
        ({"format": "picnic"}, "format", "err.choose", {}),
        ({"direction": None}, "direction", "err.choose", {}),
        ({"own_city_key": ""}, "own_city_key", "err.choose", {}),
        ({"own_city_key": "paris"}, "own_city_key", "err.city_gone", {}),
        ({"partner_keys": ()}, "partner_keys", "err.choose", {}),
        ({"partner_keys": "bremen"}, "partner_keys", "err.choose", {}),
        ({"partner_keys": ("bremen", "paris")}, "partner_keys", "err.city_gone", {}),
        (
            {"partner_keys": ("leipzig", "bremen")},
            "partner_keys",
            "err.own_city_partner",
            {"city": "Leipzig"},
        ),
        ({"date_from": None}, "date_from", "err.date", {}),
        ({"date_from": "7.12.2026"}, "date_from", "err.date", {}),
        ({"date_from": "2026-11-25"}, "date_from", "err.start_past", {}),
        ({"date_to": "2026-13-01"}, "date_to", "err.date", {}),
        ({"date_to": "2026-12-06"}, "date_to", "err.end_before_start", {}),
        ({"travellers": "-1"}, "travellers", "err.travellers", {}),
        ({"travellers": "21"}, "travellers", "err.travellers", {}),
        ({"travellers": "2.5"}, "travellers", "err.travellers", {}),
        ({"travellers": None}, "travellers", "err.travellers", {}),
        ({"cost_eur": "ungefähr 300"}, "cost_eur", "err.cost_nan", {}),
        ({"cost_eur": "-20"}, "cost_eur", "err.cost_negative", {}),
        ({"cost_eur": "100000"}, "cost_eur", "err.cost_too_high", {"max": COST_MAX}),
        ({"cost_eur": "1" * 41}, "cost_eur", "err.too_long", {"max": 40, "n": 41}),
        ({"goals": "x" * 1001}, "goals", "err.too_long", {"max": 1000, "n": 1001}),
    ],
)
def test_every_validation_rule_names_its_field(changes, field, key, params):
    problems = validate(RawRequest({**GOOD, **changes}), DIR, today=TODAY)
    assert isinstance(problems, list)
    assert [(p.field, p.key, p.params) for p in problems] == [(field, key, params)]


def test_an_empty_form_has_one_problem_per_required_field():
    problems = validate(RawRequest(), DIR, today=TODAY)
    assert isinstance(problems, list)
    assert {p.field for p in problems} == set(FIELDS) - {"cost_eur", "goals"}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("", None), ("450", Decimal("450.00")), ("1,250.50", Decimal("1250.50")), ("1 250 €", 1250)],
)
def test_the_optional_cost(typed, stored):
    draft = validate(RawRequest({**GOOD, "cost_eur": typed}), DIR, today=TODAY)
    assert isinstance(draft, RequestDraft)
    assert draft.cost_eur == stored


def test_a_stored_request_reopens_in_the_form_as_it_was_typed():
    draft = validate(GOOD, DIR, today=TODAY)
    assert isinstance(draft, RequestDraft)
    summary = Summary(
        **draft.model_dump(), id=7, version=3, status="needs_info", requester_id="U0REQ1"
    )
    raw = summary.as_raw()
    assert raw["cost_eur"] == "1250,50" and raw["date_from"] == "2026-12-07"
    assert raw["travellers"] == "3" and raw["partner_keys"] == ("bremen", "nuernberg")
    assert validate(raw, DIR, today=TODAY) == draft
    assert as_raw(draft) == raw


# --- who may do what ------------------------------------------------------------------


@dataclass
class Req:
    status: str = "submitted"
    version: int = 2
    requester_id: str = "U0REQ1"
    own_city_key: str = "leipzig"
    topic_key: str = "wohnen"
    date_to: date = date(2026, 11, 20)
    id: int | None = 5


def _refusal(check, *args, **kw) -> str | None:
    try:
        check(*args, **kw)
    except rules.MovedOn:
        return "moved on"
    except Refused as refused:
        return refused.key
    return None


@pytest.mark.parametrize(
    ("actor", "request_", "version", "expected"),
    [
        ("U0LEI1", Req(), 2, None),
        ("U0LEI2", Req(), 2, None),
        ("U0COORD1", Req(), 2, None),
        ("U0BRE1", Req(), 2, "refused.not_contact"),  # a contact, of another city
        ("U0REQ1", Req(), 2, "refused.not_contact"),  # the requester
        ("U0LEI1", Req(status="approved", version=3), 2, "moved on"),
        ("U0LEI1", Req(status="needs_info", version=3), 3, "moved on"),
        ("U0LEI1", Req(version=4), 2, "refused.stale"),
    ],
)
def test_who_may_decide(actor, request_, version, expected):
    assert _refusal(rules.check_decide, DIR, actor, request_, version=version) == expected


@pytest.mark.parametrize(
    ("actor", "status", "expected"),
    [
        ("U0REQ1", "submitted", None),
        ("U0REQ1", "matched", None),
        ("U0COORD1", "approved", None),
        ("U0LEI1", "submitted", "refused.not_requester"),  # a contact may not withdraw it
        ("U0REQ1", "completed", "moved on"),
        ("U0REQ1", "cancelled", "moved on"),
    ],
)
def test_who_may_cancel(actor, status, expected):
    last_day = Req().date_to  # until its last day, included
    assert _refusal(rules.check_cancel, DIR, actor, Req(status=status), today=last_day) == expected


@pytest.mark.parametrize(
    ("actor", "status", "decided_by", "version", "expected"),
    [
        ("U0REQ1", "lapsed", None, 2, None),
        ("U0REQ1", "lapsed", "U0LEI1", 2, "refused.new_dates_decided"),  # it was approved
        ("U0REQ1", "lapsed", None, 1, "refused.stale"),
        ("U0COORD1", "lapsed", None, 2, "refused.not_requester"),
        ("U0REQ1", "submitted", None, 2, "moved on"),  # given new dates already
    ],
)
def test_who_may_give_new_dates(actor, status, decided_by, version, expected):
    request = Req(status=status)
    found = _refusal(rules.check_new_dates, actor, request, decided_by=decided_by, version=version)
    assert found == expected


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        (date(2026, 12, 1), date(2026, 12, 2), []),
        (date(2026, 11, 27), date(2026, 11, 27), []),  # tomorrow
        (TODAY, TODAY, [("date_from", "err.new_dates_start")]),  # it would lapse at once
        (date(2026, 12, 2), date(2026, 12, 1), [("date_to", "err.end_before_start")]),
        (None, None, [("date_from", "err.date"), ("date_to", "err.date")]),
    ],
)
def test_new_dates_lie_after_today_and_end_after_they_start(date_from, date_to, expected):
    from bot.domain.request import check_new_dates

    found = check_new_dates(date_from, date_to, today=TODAY)
    assert [(p.field, p.key) for p in found] == expected


@pytest.mark.parametrize(
    ("actor", "status", "expected"),
    [
        ("U0REQ1", "matched", "refused.withdraw_over"),
        ("U0REQ1", "approved", "refused.withdraw_over"),
        ("U0COORD1", "matched", "refused.withdraw_over"),
        ("U0REQ1", "submitted", None),  # undecided: it lapses, it may still be withdrawn
    ],
)
def test_no_withdrawal_after_the_exchange_s_last_day(actor, status, expected):
    after = Req().date_to + timedelta(days=1)
    assert _refusal(rules.check_cancel, DIR, actor, Req(status=status), today=after) == expected


@pytest.mark.parametrize(
    ("actor", "status", "version", "expected"),
    [
        ("U0REQ1", "submitted", None, None),
        ("U0REQ1", "needs_info", 2, None),
        ("U0COORD1", "needs_info", None, "refused.not_requester"),
        ("U0REQ1", "approved", None, "moved on"),
        ("U0REQ1", "approved", 1, "refused.stale"),
    ],
)
def test_who_may_edit(actor, status, version, expected):
    assert _refusal(rules.check_edit, actor, Req(status=status), version=version) == expected


@pytest.mark.parametrize(
    ("actor", "status", "opening", "expected"),
    [
        ("U0REQ1", "needs_info", False, None),
        ("U0REQ1", "submitted", False, "moved on"),
        ("U0COORD1", "needs_info", True, None),  # may read the question
        ("U0COORD1", "needs_info", False, "refused.not_requester"),  # may not answer it
        ("U0LEI1", "needs_info", True, "refused.not_requester"),
    ],
)
def test_who_may_answer(actor, status, opening, expected):
    check = rules.check_answer
    assert _refusal(check, DIR, actor, Req(status=status), opening=opening) == expected


NAMED = ("U0BRE1", datetime(2026, 11, 20, 9, tzinfo=UTC))


@pytest.mark.parametrize(
    ("actor", "city", "status", "named", "expected"),
    [
        ("U0BRE3", "bremen", "approved", None, None),  # the topic contact
        ("U0BRE1", "bremen", "approved", None, None),  # the city's contact
        ("U0COORD1", "nuernberg", "approved", None, None),
        ("U0NUE1", "bremen", "approved", None, "refused.not_naming"),
        ("U0LEI1", "leipzig", "approved", None, "refused.not_naming"),  # not a partner city
        ("U0BRE1", "bremen", "submitted", None, "moved on"),
        ("U0BRE1", "bremen", "approved", NAMED, "refused.already_named"),
    ],
)
def test_who_may_name_experts(actor, city, status, named, expected):
    request_ = Req(status=status)
    partners = ("bremen", "nuernberg")
    found = _refusal(rules.check_name, DIR, actor, request_, city, partners=partners, named=named)
    assert found == expected


@pytest.mark.parametrize(
    ("actor", "status", "today", "reflected", "expected"),
    [
        ("U0REQ1", "matched", date(2026, 11, 21), False, None),
        ("U0EXP1", "completed", date(2026, 11, 30), False, None),
        ("U0LEI1", "matched", date(2026, 11, 21), False, "refused.not_participant"),
        ("U0REQ1", "matched", date(2026, 11, 20), False, "refused.not_ended"),
        ("U0REQ1", "cancelled", date(2026, 11, 21), False, "refused.not_ended"),
        ("U0REQ1", "matched", date(2026, 11, 21), True, "refused.already_reflected"),
    ],
)
def test_who_may_reflect(actor, status, today, reflected, expected):
    check = rules.check_reflect
    found = _refusal(
        check, actor, Req(status=status), experts=("U0EXP1",), today=today, reflected=reflected
    )
    assert found == expected


@pytest.mark.parametrize(("actor", "expected"), [("U0COORD1", None), ("U0LEI1", "not")])
def test_only_coordinators_mark_matched(actor, expected):
    found = _refusal(rules.check_mark_matched, DIR, actor)
    assert (found is None) == (expected is None)


# --- the small modals -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "required", "expected"),
    [
        ("Warum?", True, None),
        ("", True, ("err.required_reason", {})),
        ("", False, None),
        ("x" * answers.TEXT_MAX, True, None),
        ("x" * (answers.TEXT_MAX + 1), True, ("err.too_long", {"max": 3000, "n": 3001})),
    ],
)
def test_reason_question_and_answer_texts(text, required, expected):
    problem = answers.check_text(text, "reason", required=required)
    assert ((problem.key, problem.params) if problem else None) == expected
    assert problem is None or problem.field == "reason"


@pytest.mark.parametrize(
    ("experts", "expected"),
    [
        (["U0EXP1"], None),
        ([f"U0EXP{i}" for i in range(10)], None),
        ([], "err.no_experts"),
        ([f"U0EXP{i}" for i in range(11)], "err.no_experts"),
        (["U0EXP1", "U0BOT"], "err.expert_bot"),
    ],
)
def test_naming_experts(experts, expected):
    problem = answers.check_experts(experts, "experts", bot_user="U0BOT")
    assert (problem.key if problem else None) == expected


@pytest.mark.parametrize(
    ("rating", "recommend", "worked", "fields"),
    [
        ("4", "yes", "", []),
        (None, "yes", "", ["rating"]),
        ("6", "no", "", ["rating"]),
        ("3", None, "", ["recommend"]),
        ("3", "yes", "w" * 3001, ["worked"]),
        (None, None, "w" * 3001, ["rating", "recommend", "worked"]),
    ],
)
def test_reflection_answers(rating, recommend, worked, fields):
    result = answers.check_reflection(
        rating=rating, recommend=recommend, worked=worked, not_worked=""
    )
    if fields:
        assert isinstance(result, list) and [p.field for p in result] == fields
    else:
        assert result == answers.ReflectionAnswers(4, True, None, None)
