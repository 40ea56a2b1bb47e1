"""Euro amounts: the forms people write are stored to the cent, everything else is refused
under its field with an example in the person's language (the request's estimate and the
cost claim share the parser)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from bot.domain.money import parse_amount, to_cents
from bot.entry.scheduler import reflect_job
from bot.slack import ids
from models import CostClaim, ExchangeRequest
from tests import payloads as p
from tests.flows import buttons, click, dms_to, submit_request
from tests.seed import seed

REFUSED = None
# (typed, language, cents, or REFUSED)
TABLE = [
    # German forms
    ("1.250,50", "de", 125050),
    ("1250,50", "de", 125050),
    ("1250", "de", 125000),
    ("1.250", "de", 125000),
    ("450", "de", 45000),
    ("0,50", "de", 50),
    ("12,5", "de", 1250),
    ("1250,-", "de", 125000),
    ("1.250,– €", "de", 125000),
    ("12.345.678,90", "de", 1234567890),
    ("1 250,50", "de", 125050),
    ("1\u00a0250,50 €", "de", 125050),  # a no-break space, as copied from a spreadsheet
    ("1.250,50 €", "de", 125050),
    ("1.250,50€", "de", 125050),
    ("€ 1.250,50", "de", 125050),
    ("EUR 450", "de", 45000),
    ("450 EUR", "de", 45000),
    ("450 Euro", "de", 45000),
    ("  450  ", "de", 45000),
    ("1250.50", "de", 125050),  # a decimal point with cents is no thousands mark
    ("1,250.50", "de", 125050),  # unambiguous in any language
    # English forms
    ("1,250.50", "en", 125050),
    ("1,250", "en", 125000),
    ("€1,250.50", "en", 125050),
    ("1250.5", "en", 125050),
    ("1,234,567.89", "en", 123456789),
    ("1.250,50", "en", 125050),  # unambiguous in any language
    ("1250,50", "en", 125050),
    # refused: not amounts
    ("2,50,00", "de", REFUSED),
    ("12,,50", "de", REFUSED),
    ("1,,5", "de", REFUSED),
    ("1..5", "de", REFUSED),
    ("1.5.0", "de", REFUSED),
    ("2,50,00", "en", REFUSED),
    ("1.5.0", "en", REFUSED),
    ("1,2345", "de", REFUSED),
    ("1,250,5", "de", REFUSED),
    ("1.250.5", "en", REFUSED),
    ("1.250.50", "de", REFUSED),
    ("1,250,50", "en", REFUSED),
    ("12.50.00", "de", REFUSED),
    (".50", "de", REFUSED),
    ("50.", "de", REFUSED),
    ("1 2 5", "de", REFUSED),
    ("12 50", "de", REFUSED),
    ("1.250 ,50", "de", REFUSED),
    ("€", "de", REFUSED),
    ("€€ 12", "de", REFUSED),
    ("12 € 50", "de", REFUSED),
    ("zwölf", "de", REFUSED),
    ("ca. 300", "de", REFUSED),
    ("1e3", "de", REFUSED),
    ("0x10", "de", REFUSED),
    ("١٢٣", "de", REFUSED),  # other digits than 0-9
    ("1_000", "de", REFUSED),
    ("+5", "de", REFUSED),
    ("1.25", "de", 125),  # two decimals after a point: cents, not thousands
    # one group without decimals: read as the language writes it, never guessed
    ("1,250", "de", REFUSED),
    ("1.250", "en", REFUSED),
    ("0.500", "de", REFUSED),
    ("1234567890123,00", "de", REFUSED),
]


def test_the_table_has_at_least_forty_inputs():
    assert len(TABLE) >= 40 and len({(t, lang) for t, lang, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("typed", "lang", "cents"), TABLE, ids=lambda v: repr(v))
def test_an_amount_is_read_to_the_cent_or_refused(typed, lang, cents):
    if cents is REFUSED:
        with pytest.raises(ValueError):
            parse_amount(typed, lang)
    else:
        amount = parse_amount(typed, lang)
        assert amount is not None and to_cents(amount) == cents
        assert amount == Decimal(cents) / 100


def test_negative_and_empty_are_left_to_the_caller():
    assert parse_amount("-20") == Decimal("-20.00")
    assert parse_amount("") is None and parse_amount("   ") is None


@pytest.mark.parametrize(
    ("typed", "lang", "message"),
    [
        ("2,50,00", "de", "Bitte einen Betrag in Euro eingeben, z. B. 450 oder 1.250,50."),
        ("12,,50", "de", "Bitte einen Betrag in Euro eingeben, z. B. 450 oder 1.250,50."),
        ("1,250", "de", "Bitte einen Betrag in Euro eingeben, z. B. 450 oder 1.250,50."),
        ("1.5.0", "en", "Please enter an amount in euros, e.g. 450 or 1,250.50."),
    ],
)
def test_the_estimate_is_refused_under_its_field_in_the_persons_language(bot, typed, lang, message):
    status, body = submit_request(
        bot, "U0REQ1", metadata=json.dumps({"lang": lang}), **{ids.B_COST: p.text_value(typed)}
    )
    assert status == 200
    assert body == {"response_action": "errors", "errors": {ids.B_COST: message}}
    with bot.session_factory() as s:
        assert s.exec(select(ExchangeRequest)).all() == []
    assert bot.slack.calls == []


def test_an_english_estimate_with_a_thousands_comma_is_stored(bot):
    status, body = submit_request(
        bot, "U0REQ1", metadata=json.dumps({"lang": "en"}), **{ids.B_COST: p.text_value("1,250")}
    )
    assert (status, body) == (200, "")
    with bot.session_factory() as s:
        [request] = s.exec(select(ExchangeRequest)).all()
    assert request.cost_eur == Decimal("1250.00")


def test_a_claim_that_is_not_an_amount_is_refused_under_the_field(bot):
    from tests.test_claims import submit_claim

    request_id = seed(
        bot,
        state="matched",
        date_from=date(2026, 12, 7),
        date_to=date(2026, 12, 9),
        cost_eur=Decimal("450"),
    )
    bot.clock.now = bot.clock.now.replace(year=2026, month=12, day=10, hour=9)
    reflect_job(bot.services)
    [prompt] = [m for m in dms_to(bot, "U0REQ1") if ids.A_CLAIM in buttons(m.params["blocks"])]
    click(bot, "U0REQ1", prompt, ids.A_CLAIM)

    for typed in ("2,50,00", "12,,50", "1..5"):
        status, body = submit_claim(bot, "U0REQ1", typed, "total", [])
        assert status == 200
        assert body == {
            "response_action": "errors",
            "errors": {
                ids.B_CLAIM_AMOUNT: "Bitte einen Betrag in Euro eingeben, z. B. 320 oder 1.250,50."
            },
        }
    with bot.session_factory() as s:
        claim = s.get(CostClaim, request_id)
    assert claim is not None and (claim.status, claim.amount_cents) == ("asked", None)

    status, body = submit_claim(bot, "U0REQ1", "1.250,50 €", "total", [])
    assert status == 200 and not body
    with bot.session_factory() as s:
        claim = s.get(CostClaim, request_id)
    assert claim is not None and (claim.status, claim.amount_cents) == ("claimed", 125050)
