"""Deciding and matching over HTTP with the fake Slack: the happy path, refusals, the
decline/ask/answer/edit/cancel flows."""

from __future__ import annotations

from sqlmodel import select

from bot.slack import ids
from models import AuditEntry, ExchangeRequest, Expert
from tests import payloads as p
from tests.flows import (
    blocks_text,
    buttons,
    click,
    dms_to,
    form_values,
    last_dm,
    replies,
    submit_opened,
    submit_request,
    text_state,
)


def _request(bot) -> ExchangeRequest:
    with bot.session_factory() as s:
        return s.exec(select(ExchangeRequest)).one()


def _audit(bot) -> list[tuple[str, str, str | None, str | None]]:
    with bot.session_factory() as s:
        rows = s.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
    return [(a.actor, a.action, a.from_status, a.to_status) for a in rows]


def _after(bot, mark: int, method: str) -> list:
    return [c for c in bot.slack.calls[mark:] if c.method == method and not c.failed]


def test_happy_path_from_submission_to_matched(bot):
    status, _ = submit_request(bot, "U0REQ1")
    assert status == 200
    # The requester gets the number; both Leipzig contacts get the buttons; nobody else.
    assert "#1" in last_dm(bot, "U0REQ1").params["text"]
    for contact in ("U0LEI1", "U0LEI2"):
        message = last_dm(bot, contact)
        assert set(buttons(message.params["blocks"])) == {ids.A_APPROVE, ids.A_DECLINE, ids.A_ASK}
        assert buttons(message.params["blocks"])[ids.A_APPROVE] == "1:1"  # ids only
        assert "Quartiersschulen gemeinsam planen" in blocks_text(message.params["blocks"])
    assert dms_to(bot, "U0BRE1") == [] and dms_to(bot, "U0NUE1") == []

    mark = len(bot.slack.calls)
    status, _ = click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    assert status == 200
    assert _request(bot).status == "approved"
    # Every copy of the decision message now says who approved, when, without buttons.
    confirmation = dms_to(bot, "U0REQ1")[0]
    updates = _after(bot, mark, "chat.update")
    # (and the requester's confirmation DM shows the new status)
    assert [u.params["ts"] for u in updates].count(confirmation.response["ts"]) == 1
    updates = [u for u in updates if u.params["ts"] != confirmation.response["ts"]]
    assert len(updates) == 2
    assert {u.params["ts"] for u in updates} == {
        last_dm(bot, "U0LEI1").response["ts"],
        last_dm(bot, "U0LEI2").response["ts"],
    }
    for update in updates:
        text = blocks_text(update.params["blocks"])
        assert "Genehmigt" in text and "<@U0LEI1>" in text and "<!date^" in text
        assert buttons(update.params["blocks"]) == {}
    assert "genehmigt" in last_dm(bot, "U0REQ1").params["text"]
    # Bremen's topic contact for "wohnen" is asked to name experts (not the city contact).
    naming = last_dm(bot, "U0BRE3")
    assert ids.A_NAME_EXPERTS in buttons(naming.params["blocks"])
    assert dms_to(bot, "U0BRE1") == []
    assert ids.A_MARK_MATCHED in buttons(last_dm(bot, "U0COORD1").params["blocks"])

    click(bot, "U0BRE3", naming, ids.A_NAME_EXPERTS)
    opened = bot.slack.delivered("views.open")[-1].params["view"]
    assert opened["callback_id"] == ids.VIEW_NAME_EXPERTS
    status, body = submit_opened(
        bot, "U0BRE3", {ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP1", "U0EXP2"])}}
    )
    assert status == 200 and not body
    assert _request(bot).status == "matched"
    with bot.session_factory() as s:
        assert sorted(e.user_id for e in s.exec(select(Expert)).all()) == ["U0EXP1", "U0EXP2"]
    assert [a[1] for a in _audit(bot)] == ["submit", "approve", "match"]
    [group] = [c for c in bot.slack.delivered("conversations.open") if "," in c.params["users"]]
    assert group.params["users"].split(",") == ["U0REQ1", "U0EXP1", "U0EXP2", "U0BRE3"]
    channel = group.response["channel"]["id"]
    intro = [c for c in bot.slack.delivered("chat.postMessage") if c.params["channel"] == channel]
    assert len(intro) == 1
    text = blocks_text(intro[0].params["blocks"])
    assert "<@U0EXP1>" in text and "Wie habt ihr Schule" in text and "Mo, 7. Dez. 2026" in text
    assert "alle Expert/innen benannt" in last_dm(bot, "U0REQ1").params["text"]
    # The naming message and the coordinator's message are closed too.
    closed = {u.params["ts"] for u in bot.slack.delivered("chat.update")}
    assert naming.response["ts"] in closed
    assert last_dm(bot, "U0COORD1").response["ts"] in closed


def test_refused_clicks_change_nothing_and_say_why_privately(bot):
    submit_request(bot, "U0REQ1")
    message = last_dm(bot, "U0LEI1")
    # A contact of the wrong city and an outsider.
    for user, name in (("U0BRE1", "bre"), ("U0OUT1", "out")):
        click(bot, user, message, ids.A_APPROVE, name=name)
        assert "Ansprechpartner/innen von Leipzig" in replies(bot, name)[-1]
    assert _request(bot).status == "submitted"
    reply = bot.slack.calls_to("response_url")[-1].params
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    # First click wins; the second contact is told who decided and when.
    click(bot, "U0LEI1", message, ids.A_APPROVE, name="first")
    click(bot, "U0LEI2", last_dm(bot, "U0LEI2"), ids.A_DECLINE, name="second")
    assert replies(bot, "first") == []
    # Decline opens its modal first, then finds the request decided and says so in it.
    shown = bot.slack.delivered("views.update")[-1].params["view"]
    assert "<@U0LEI1>" in blocks_text(shown["blocks"]) and "bereits" in blocks_text(shown["blocks"])
    click(bot, "U0LEI2", last_dm(bot, "U0LEI2"), ids.A_APPROVE, name="again")
    assert "<@U0LEI1>" in replies(bot, "again")[-1]
    approvals = [a for a in _audit(bot) if a[1] == "approve"]
    assert approvals == [("U0LEI1", "approve", "submitted", "approved")]


def test_a_coordinator_may_decide_any_request(bot):
    submit_request(bot, "U0REQ1")
    click(bot, "U0COORD1", last_dm(bot, "U0LEI1"), ids.A_APPROVE, name="c")
    assert replies(bot, "c") == []
    assert _request(bot).status == "approved"


def test_stale_message_changes_nothing(bot):
    submit_request(bot, "U0REQ1")
    old = last_dm(bot, "U0LEI1")
    # A question, an answer: the request is back in "submitted" with new messages.
    click(bot, "U0LEI1", old, ids.A_ASK)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Wie viele Personen genau?"))
    question = last_dm(bot, "U0REQ1")
    click(bot, "U0REQ1", question, ids.A_ANSWER)
    submit_opened(bot, "U0REQ1", text_state(ids.B_REASON, "Zwei, beide aus dem Schulamt."))
    assert _request(bot).status == "submitted"
    click(bot, "U0LEI2", old, ids.A_APPROVE, name="stale")
    assert "nicht mehr aktuell" in replies(bot, "stale")[-1]
    assert _request(bot).status == "submitted"
    new = last_dm(bot, "U0LEI2")
    assert new.response["ts"] != old.response["ts"]
    text = blocks_text(new.params["blocks"])
    assert "Wie viele Personen genau?" in text and "Zwei, beide aus dem Schulamt." in text
    click(bot, "U0LEI2", new, ids.A_APPROVE, name="fresh")
    assert replies(bot, "fresh") == []
    assert _request(bot).status == "approved"


def test_decline_needs_a_reason_and_tells_the_requester(bot):
    submit_request(bot, "U0REQ1")
    mark = len(bot.slack.calls)
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_DECLINE)
    # Nothing before the modal opens; after the check it gets the request's context.
    assert bot.slack.methods()[mark:] == ["views.open", "views.update"]
    _status, body = submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "   "))
    assert body == {
        "response_action": "errors",
        "errors": {ids.B_REASON: "Bitte eine Begründung angeben."},
    }
    assert _request(bot).status == "submitted"
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Budget für 2026 ist ausgeschöpft."))
    request = _request(bot)
    assert request.status == "declined" and request.decided_by == "U0LEI1"
    told = last_dm(bot, "U0REQ1")
    assert "abgelehnt" in told.params["text"]
    assert "Budget für 2026 ist ausgeschöpft." in blocks_text(told.params["blocks"])
    assert _audit(bot)[-1] == ("U0LEI1", "decline", "submitted", "declined")


def test_edit_after_a_question_resubmits_and_asks_the_contacts_again(bot):
    submit_request(bot, "U0REQ1")
    first = last_dm(bot, "U0LEI1")
    click(bot, "U0LEI1", first, ids.A_ASK)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Geht es auch im Januar?"))
    assert _request(bot).status == "needs_info"
    question = last_dm(bot, "U0REQ1")
    assert "Geht es auch im Januar?" in blocks_text(question.params["blocks"])
    click(bot, "U0REQ1", question, ids.A_EDIT)
    # A loading modal opens at once, then the form arrives prefilled.
    assert bot.slack.delivered("views.open")[-1].params["view"]["callback_id"] == "cr_notice"
    form = bot.slack.delivered("views.update")[-1].params["view"]
    assert form["callback_id"] == ids.VIEW_REQUEST
    title = next(b for b in form["blocks"] if b.get("block_id") == ids.B_TITLE)
    assert title["element"]["initial_value"] == "Quartiersschulen gemeinsam planen"
    view_id = bot.slack.delivered("views.update")[-1].response["view"]["id"]
    values = form_values(
        **{ids.B_DATE_FROM: p.date_value("2027-01-11"), ids.B_DATE_TO: p.date_value("2027-01-12")}
    )
    status, body = bot.http.submit(
        callback_id=ids.VIEW_REQUEST,
        user_id="U0REQ1",
        values=values,
        view_id=view_id,
        private_metadata=form["private_metadata"],
    )
    assert status == 200 and not body
    request = _request(bot)
    assert request.status == "submitted" and str(request.date_from) == "2027-01-11"
    again = last_dm(bot, "U0LEI1")
    assert again.response["ts"] != first.response["ts"]
    assert "Mo, 11. Jan. 2027" in blocks_text(again.params["blocks"])
    assert [a[1] for a in _audit(bot)] == ["submit", "ask", "edit"]


def test_cancel_updates_the_contacts_messages_and_tells_them(bot):
    submit_request(bot, "U0REQ1")
    confirmation = last_dm(bot, "U0REQ1")
    click(bot, "U0OUT1", confirmation, ids.A_CANCEL, name="out")
    assert "Das kann nur <@U0REQ1>" in replies(bot, "out")[-1]
    click(bot, "U0REQ1", confirmation, ids.A_CANCEL, name="me")
    assert _request(bot).status == "cancelled"
    updated = {u.params["ts"]: u for u in bot.slack.delivered("chat.update")}
    for contact in ("U0LEI1", "U0LEI2"):
        decision = dms_to(bot, contact)[0]
        assert "Zurückgezogen" in blocks_text(updated[decision.response["ts"]].params["blocks"])
        assert "zurückgezogen" in last_dm(bot, contact).params["text"]
    # The requester is not told what she did herself: her confirmation DM shows it.
    assert dms_to(bot, "U0REQ1") == [confirmation]
    shown = updated[confirmation.response["ts"]].params
    assert "Zurückgezogen" in shown["text"] and "Zurückgezogen" in blocks_text(shown["blocks"])
    assert buttons(shown["blocks"]) == {}
    # Cancelling again: nothing changes, and the requester is told why.
    click(bot, "U0REQ1", confirmation, ids.A_CANCEL, name="twice")
    assert "Zurückgezogen" in replies(bot, "twice")[-1]


def test_list_shows_my_requests_newest_first_with_status(bot):
    submit_request(bot, "U0REQ1", view_id="V1", **{ids.B_TITLE: p.text_value("Erste Anfrage")})
    submit_request(bot, "U0REQ1", view_id="V2", **{ids.B_TITLE: p.text_value("Zweite Anfrage")})
    submit_request(
        bot,
        "U0REQ2",
        view_id="V3",
        **{
            ids.B_OWN_CITY: p.select_value("bremen"),
            ids.B_PARTNERS: p.multi_select_values(["leipzig"]),
        },
    )
    status, _body = bot.http.command(
        user_id="U0REQ1", text="list", response_url=bot.slack.response_url("list")
    )
    assert status == 200
    shown = bot.slack.calls_to("response_url")[-1].params
    assert shown["response_type"] == "ephemeral"
    text = blocks_text(shown["blocks"])
    assert text.index("Zweite Anfrage") < text.index("Erste Anfrage")
    assert "Eingereicht" in text and "Bremen" not in text.split("Zweite")[0]
    assert "#3" not in text


def test_cancel_from_the_private_list(bot):
    submit_request(bot, "U0REQ1")
    bot.http.command(user_id="U0REQ1", text="list", response_url=bot.slack.response_url("l"))
    listed = bot.slack.calls_to("response_url")[-1].params
    value = buttons(listed["blocks"])[ids.A_CANCEL]
    payload = p.block_actions_payload(
        action_id=ids.A_CANCEL,
        value=value,
        user_id="U0REQ1",
        channel_id="D0REQ1",
        message_ts="1700000099.000100",
        response_url=bot.slack.response_url("c"),
    )
    payload["container"]["is_ephemeral"] = True
    bot.http.signed(p.form_body(payload))
    assert replies(bot, "c") == []
    assert _request(bot).status == "cancelled"


def test_history_prints_the_audit_trail(bot, capsys, monkeypatch):
    from bot.entry.cli import main

    submit_request(bot, "U0REQ1")
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_DECLINE)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Kein Budget mehr"))
    monkeypatch.setenv("DATABASE_URL", bot.services.settings.database_url)
    assert main(["history", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "request #1: 'Quartiersschulen gemeinsam planen' (declined)"
    assert "U0REQ1" in out[1] and "submit" in out[1] and "- -> submitted" in out[1]
    assert "U0LEI1" in out[2] and "decline" in out[2] and "submitted -> declined" in out[2]
    assert "'Kein Budget mehr'" in out[2] and "CET" in out[2]


def test_history_needs_no_slack_token_next_to_a_copied_env_example(
    bot, capsys, monkeypatch, tmp_path
):
    """As a newcomer runs it: `cp .env.example .env`, placeholders and all, then history."""
    from pathlib import Path

    from bot.entry.cli import main

    example = Path(__file__).resolve().parents[1] / ".env.example"
    (tmp_path / ".env").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    for line in example.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            # Recorded, then removed: what main() loads from .env is undone after the test.
            monkeypatch.setenv(line.split("=")[0], "")
            monkeypatch.delenv(line.split("=")[0])
    monkeypatch.setenv("DATABASE_URL", bot.services.settings.database_url)
    monkeypatch.chdir(tmp_path)
    submit_request(bot, "U0REQ1")

    assert main(["history", "1"]) == 0

    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == (
        "request #1: 'Quartiersschulen gemeinsam planen' (submitted)"
    )
    assert "U0REQ1" in captured.out.splitlines()[1]
    assert "SLACK_" not in captured.err
