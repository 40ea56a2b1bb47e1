"""Nobody approves their own money (issue 20, item 4): a coordinator who filed a request
can neither check (sachlich richtig) nor pay its claim; another coordinator can. With a
single coordinator the check waits for a second one, and the message says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from bot.slack import ids
from models import AuditEntry, CostClaim
from tests.conftest import DIRECTORY, running_bot
from tests.flows import buttons, click, dms_to, last_dm, replies
from tests.test_claims import after_the_exchange, submit_claim


def _claimed_by_the_coordinator(bot) -> tuple[int, object]:
    request_id = after_the_exchange(bot, requester="U0COORD1")
    prompt = [m for m in dms_to(bot, "U0COORD1") if ids.A_CLAIM in buttons(m.params["blocks"])]
    click(bot, "U0COORD1", prompt[-1], ids.A_CLAIM)
    status, body = submit_claim(bot, "U0COORD1", "120", "total", [])
    assert status == 200 and not body
    copy = next(
        m
        for m in reversed(dms_to(bot, "U0COORD1"))
        if ids.A_CLAIM_CHECK in buttons(m.params["blocks"])
    )
    return request_id, copy


def _steps(bot, request_id: int) -> list[tuple[str, str]]:
    with bot.session_factory() as s:
        rows = s.exec(select(AuditEntry).where(AuditEntry.request_id == request_id)).all()
    return [(a.actor, a.action) for a in rows if a.action.startswith("claim")]


def test_a_single_coordinator_cannot_check_their_own_claim_and_is_told_why(bot):
    request_id, copy = _claimed_by_the_coordinator(bot)

    status, _ = click(bot, "U0COORD1", copy, ids.A_CLAIM_CHECK, name="own")

    assert status == 200
    assert replies(bot, "own") == [
        f":no_entry: Vier-Augen-Prinzip: Die Reisekosten zu *#{request_id}* haben Sie selbst "
        "gemeldet, und außer Ihnen ist niemand in der Koordination. Tragen Sie eine zweite "
        "Person unter `coordinators` in die Verzeichnisdatei ein; sie prüft und zahlt aus. "
        "Ihr Klick hat nichts geändert."
    ]
    with bot.session_factory() as s:
        assert s.get(CostClaim, request_id).status == "claimed"
    assert _steps(bot, request_id) == [("system", "claim_asked"), ("U0COORD1", "claim")]


@pytest.fixture
def two_coordinators(fake_slack, database_url, tmp_path: Path, clock):
    path = tmp_path / "two.toml"
    path.write_text(
        DIRECTORY.replace('coordinators = ["U0COORD1"]', 'coordinators = ["U0COORD1", "U0COORD2"]'),
        encoding="utf-8",
    )
    fake_slack.set_user("U0COORD2", email="coord2@koopstadt.de", locale="en-US")
    with running_bot(fake_slack, database_url, path, clock) as running:
        running.slack.set_user("U0COORD2", email="coord2@koopstadt.de", locale="en-US")
        yield running


def test_another_coordinator_checks_and_pays_a_coordinators_claim(two_coordinators):
    bot = two_coordinators
    request_id, copy = _claimed_by_the_coordinator(bot)
    theirs = next(
        m
        for m in reversed(dms_to(bot, "U0COORD2"))
        if ids.A_CLAIM_CHECK in buttons(m.params["blocks"])
    )

    click(bot, "U0COORD1", copy, ids.A_CLAIM_CHECK, name="own")
    assert replies(bot, "own") == [
        f":no_entry: Vier-Augen-Prinzip: Die Reisekosten zu *#{request_id}* haben Sie selbst "
        "gemeldet. Sachlich richtig zeichnen und auszahlen muss eine andere Person der "
        "Koordination – Ihr Klick hat nichts geändert."
    ]
    click(bot, "U0COORD2", theirs, ids.A_CLAIM_CHECK)
    assert last_dm(bot, "U0COORD1").params["text"].startswith("<@U0COORD2> hat Ihre Reisekosten")
    checked = bot.slack.delivered("chat.update")[-1].params
    own_copy = type(copy)(**{**copy.__dict__, "params": {**copy.params, **checked}})
    assert ids.A_CLAIM_PAID in buttons(checked["blocks"])

    click(bot, "U0COORD1", own_copy, ids.A_CLAIM_PAID, name="pay")
    assert "Vier-Augen-Prinzip" in replies(bot, "pay")[0]
    with bot.session_factory() as s:
        assert s.get(CostClaim, request_id).status == "checked"

    click(bot, "U0COORD2", own_copy, ids.A_CLAIM_PAID, name="pay2")
    assert replies(bot, "pay2") == []
    assert _steps(bot, request_id) == [
        ("system", "claim_asked"),
        ("U0COORD1", "claim"),
        ("U0COORD2", "claim_check"),
        ("U0COORD2", "claim_pay"),
    ]


def test_the_four_eyes_refusal_reads_in_english(two_coordinators):
    bot = two_coordinators
    bot.slack.set_user("U0COORD1", email="coord@koopstadt.de", locale="en-GB")
    bot.services.remember_language("U0COORD1", "en-GB")
    request_id, copy = _claimed_by_the_coordinator(bot)

    click(bot, "U0COORD1", copy, ids.A_CLAIM_CHECK, name="own")

    assert replies(bot, "own") == [
        f":no_entry: Four-eyes rule: you claimed the travel costs of *#{request_id}* yourself. "
        "Another coordinator must check and pay them – your click changed nothing."
    ]
