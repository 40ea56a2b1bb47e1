"""Buttons after the end (issue 20, item 5): a withdrawn, declined or purged request is
changed by no click, whatever surface it came from; the person is told why, privately, and
a message that still shows a live button is drawn again without it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import select

from bot.slack import ids
from bot.usecases.lifecycle import purge
from models import AgreementConfirmation, AuditEntry, CostClaim, ExchangeRequest
from tests.flows import blocks_text, buttons, click, dms_to, replies
from tests.test_agreement import matched_with_agreement
from tests.test_claims import after_the_exchange, prompt_for_claim, submit_claim


def _withdraw(bot, request_id: int) -> None:
    confirmation = next(
        m for m in dms_to(bot, "U0REQ1") if ids.A_CANCEL in buttons(m.params["blocks"])
    )
    click(bot, "U0REQ1", confirmation, ids.A_CANCEL, name="withdraw")
    assert replies(bot, "withdraw") == []
    with bot.session_factory() as s:
        assert s.get(ExchangeRequest, request_id).status == "cancelled"


def test_the_agreement_of_a_withdrawn_exchange_cannot_be_confirmed(bot):
    intro = matched_with_agreement(bot)
    _withdraw(bot, 1)
    updates = len(bot.slack.delivered("chat.update"))

    status, _ = click(bot, "U0EXP1", intro, ids.A_CONFIRM_AGREEMENT, name="late")

    assert status == 200
    [said] = replies(bot, "late")
    assert said.startswith(":information_source: Hier hat sich nichts geändert: <@U0REQ1> hat ")
    assert said.endswith("; Stand: Zurückgezogen).")
    with bot.session_factory() as s:
        assert s.exec(select(AgreementConfirmation)).all() == []
        assert "agree" not in " ".join(a.action for a in s.exec(select(AuditEntry)).all())
    # The introduction is drawn again: no button, and why.
    [redrawn] = bot.slack.delivered("chat.update")[updates:]
    assert (redrawn.params["channel"], redrawn.params["ts"]) == (
        intro.response["channel"],
        intro.response["ts"],
    )
    assert buttons(redrawn.params["blocks"]) == {}
    assert "Stand: Zurückgezogen. Hier ist nichts mehr zu bestätigen." in blocks_text(
        redrawn.params["blocks"]
    )
    assert redrawn.params["text"] == intro.params["text"]
    # A second click on the old button: told again, nothing else changes.
    click(bot, "U0REQ1", intro, ids.A_CONFIRM_AGREEMENT, name="again")
    assert "Stand: Zurückgezogen" in replies(bot, "again")[0]
    with bot.session_factory() as s:
        assert s.exec(select(AgreementConfirmation)).all() == []


def claimed_exchange(bot) -> tuple[int, str]:
    """A claim made after the exchange; the value of its check button."""
    request_id = after_the_exchange(bot)
    click(bot, "U0REQ1", prompt_for_claim(bot), ids.A_CLAIM)
    status, body = submit_claim(bot, "U0REQ1", "120", "total", [])
    assert status == 200 and not body
    copy = next(
        m
        for m in reversed(dms_to(bot, "U0COORD1"))
        if ids.A_CLAIM_CHECK in buttons(m.params["blocks"])
    )
    return request_id, buttons(copy.params["blocks"])[ids.A_CLAIM_CHECK]


def _check_from_home(bot, value: str):
    return bot.http.click(
        action_id=ids.A_CLAIM_CHECK,
        value=value,
        user_id="U0COORD1",
        container_type="view",
        view={"id": "VHOMEU0COORD1", "hash": "1", "type": "home", "blocks": []},
    )


def _claim_state(bot, request_id: int) -> tuple[str, list[str]]:
    with bot.session_factory() as s:
        claim = s.get(CostClaim, request_id)
        steps = s.exec(
            select(AuditEntry.action).where(
                AuditEntry.request_id == request_id, AuditEntry.action == "claim_check"
            )
        ).all()
    return claim.status, list(steps)


def test_a_purged_requests_claim_is_not_checked_from_the_home_tab(bot):
    request_id, value = claimed_exchange(bot)
    with bot.session_factory.begin() as s:  # the exchange closed two years ago
        s.execute(
            update(ExchangeRequest)
            .where(ExchangeRequest.id == request_id)
            .values(status="completed", status_changed_at=datetime(2024, 12, 10, tzinfo=UTC))
        )
    assert purge(bot.session_factory, timedelta(days=365), now=bot.clock()) == 1
    opened = len(bot.slack.delivered("views.open"))

    status, _ = _check_from_home(bot, value)

    assert status == 200
    [notice] = bot.slack.delivered("views.open")[opened:]
    assert blocks_text(notice.params["view"]["blocks"]) == (
        f":information_source: Nichts geändert: Die Anfrage #{request_id} ist abgeschlossen, "
        "ihre Angaben wurden nach Ablauf der Aufbewahrungsfrist gelöscht."
    )
    assert _claim_state(bot, request_id) == ("claimed", [])
    assert dms_to(bot, "purged") == []


def test_a_withdrawn_requests_claim_is_not_checked_from_the_home_tab(bot):
    request_id, value = claimed_exchange(bot)
    # After its last day an exchange can no longer be withdrawn (issue 21); the guard still
    # keeps a claim of a withdrawn request unchecked: withdrawn as on its last day.
    claimed_at = bot.clock.now
    bot.clock.now = claimed_at.replace(day=9)
    _withdraw(bot, request_id)
    bot.clock.now = claimed_at
    opened = len(bot.slack.delivered("views.open"))

    status, _ = _check_from_home(bot, value)

    assert status == 200
    [notice] = bot.slack.delivered("views.open")[opened:]
    said = blocks_text(notice.params["view"]["blocks"])
    assert said.startswith(":information_source: Hier hat sich nichts geändert: <@U0REQ1> hat ")
    assert said.endswith("; Stand: Zurückgezogen).")
    assert _claim_state(bot, request_id) == ("claimed", [])
