"""Deputies: set by command or from the Home tab, receiving and deciding a city's requests
during the period (recorded "for X"), not after it; ended early; set by coordinators for
anybody; a city whose contacts are all away goes straight to the coordinators."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.domain.deputies import Absence, parse_deputy_command, parse_until, route
from bot.slack import ids
from models import AuditEntry, ExchangeRequest
from tests import payloads as p
from tests.flows import (
    blocks_text,
    buttons,
    click,
    dms_to,
    last_dm,
    replies,
    submit_opened,
    submit_request,
)
from tests.seed import seed

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31.12.", date(2026, 12, 31)),
        ("15.1.", date(2027, 1, 15)),  # already past this year: next year's
        ("26.11.", TODAY),
        ("31.12.2027", date(2027, 12, 31)),
        ("31.12.27", date(2027, 12, 31)),
        ("2027-03-01", date(2027, 3, 1)),
        ("32.12.", None),
        ("morgen", None),
    ],
)
def test_end_dates_as_people_type_them(text, expected):
    assert parse_until(text, TODAY) == expected


def test_the_command_reads_people_dates_and_end():
    command = parse_deputy_command(["<@U0NUE1|nina>", "bis", "31.12."], TODAY)
    assert command.mentions == ("U0NUE1",) and command.until == date(2026, 12, 31)
    assert parse_deputy_command(["ende"], TODAY).end
    assert parse_deputy_command(["@nina", "bis", "31.12."], TODAY).unreadable


def test_routing_replaces_the_absent_and_drops_those_without_a_deputy():
    away = {
        "U0A": Absence("U0A", "U0D", date(2026, 12, 31)),
        "U0B": Absence("U0B", None, date(2026, 12, 31)),
        "U0C": Absence("U0C", "U0E", date(2026, 11, 1)),  # over
    }
    assert route(["U0A", "U0B", "U0C", "U0F"], away, TODAY) == ("U0D", "U0C", "U0F")


def run_command(bot, user: str, text: str) -> str:
    status, body = bot.http.command(user_id=user, text=text)
    assert status == 200
    return body["text"] if isinstance(body, dict) else body


def _audit(bot, request_id: int) -> list[AuditEntry]:
    with bot.session_factory() as s:
        return list(
            s.exec(
                select(AuditEntry)
                .where(AuditEntry.request_id == request_id)
                .order_by(AuditEntry.id)
            ).all()
        )


def test_a_deputy_receives_and_decides_during_the_period_and_not_after(bot):
    said = run_command(bot, "U0LEI1", "vertretung <@U0NUE1|nina> bis 31.12.")
    assert said == (
        ":busts_in_silhouette: Vertretung eingetragen: <@U0NUE1> vertritt <@U0LEI1> bis Do, "
        "31. Dez. 2026. Bis dahin gehen neue Anfragen zum Entscheiden und zum Benennen von "
        "Expert/innen an <@U0NUE1> statt an <@U0LEI1>."
    )
    told = last_dm(bot, "U0NUE1").params["text"]
    assert told == (
        "Sie vertreten <@U0LEI1> bis Do, 31. Dez. 2026 (eingetragen von <@U0LEI1>). Bis dahin "
        "bekommen Sie die neuen Anfragen, die sonst an <@U0LEI1> gingen, und dürfen über die "
        "Anfragen aus Leipzig entscheiden."
    )

    submit_request(bot, "U0REQ1", view_id="VDEP1")
    assert dms_to(bot, "U0LEI1") == []  # away: their new decision request goes to the deputy
    message = last_dm(bot, "U0NUE1")
    assert ids.A_APPROVE in buttons(message.params["blocks"])
    assert ids.A_APPROVE in buttons(last_dm(bot, "U0LEI2").params["blocks"])

    status, _ = click(bot, "U0NUE1", message, ids.A_APPROVE)
    assert status == 200 and replies(bot) == []
    with bot.session_factory() as s:
        request = s.exec(select(ExchangeRequest)).one()
    assert request.status == "approved" and request.decided_by == "U0NUE1"
    approve = _audit(bot, request.id)[-1]
    assert (approve.actor, approve.action, approve.on_behalf_of) == ("U0NUE1", "approve", "U0LEI1")
    from bot.usecases.history import history_lines

    trail = history_lines(bot.session_factory, request.id, tz=bot.services.settings.timezone)
    assert "U0NUE1 for U0LEI1 approve    submitted -> approved" in trail[-1]
    closed = [
        c for c in bot.slack.delivered("chat.update") if c.params["ts"] == message.response["ts"]
    ]
    assert "(in Vertretung für <@U0LEI1>)" in blocks_text(closed[-1].params["blocks"])

    # After the end date the deputy gets nothing and may not decide; the contact is back.
    bot.clock.now = datetime(2027, 1, 4, 9, tzinfo=UTC)
    seed(bot, state="submitted", date_from=date(2027, 2, 1), date_to=date(2027, 2, 2))
    assert ids.A_APPROVE in buttons(last_dm(bot, "U0LEI1").params["blocks"])
    nina = len(dms_to(bot, "U0NUE1"))
    status, _ = click(bot, "U0NUE1", last_dm(bot, "U0LEI1"), ids.A_APPROVE, name="late")
    assert status == 200
    assert "Leipzig" in replies(bot, "late")[0]  # not a contact of Leipzig
    assert len(dms_to(bot, "U0NUE1")) == nina
    with bot.session_factory() as s:
        assert sorted(r.status for r in s.exec(select(ExchangeRequest)).all()) == [
            "approved",
            "submitted",
        ]


def test_ended_early_the_contact_gets_the_next_request(bot):
    run_command(bot, "U0LEI1", "deputy <@U0NUE1> until 31.12.2026")
    said = run_command(bot, "U0LEI1", "vertretung ende")
    assert said == (
        ":leftwards_arrow_with_hook: Die Vertretung für <@U0LEI1> ist beendet. Neue Anfragen "
        "gehen wieder an <@U0LEI1>."
    )
    assert last_dm(bot, "U0NUE1").params["text"] == (
        "<@U0LEI1> hat die Vertretung beendet. Neue Anfragen gehen wieder an <@U0LEI1>."
    )
    deputy_dms = len(dms_to(bot, "U0NUE1"))
    submit_request(bot, "U0REQ1", view_id="VDEP2")
    assert ids.A_APPROVE in buttons(last_dm(bot, "U0LEI1").params["blocks"])
    assert len(dms_to(bot, "U0NUE1")) == deputy_dms
    assert "Für <@U0LEI1> ist keine Vertretung eingetragen" in run_command(
        bot, "U0LEI1", "vertretung ende"
    )
    with bot.session_factory() as s:
        actions = [a.action for a in s.exec(select(AuditEntry)).all() if a.request_id is None]
    assert actions == ["deputy", "deputy_end"]


def test_only_coordinators_set_a_deputy_for_somebody_else(bot):
    bot.http.command(
        user_id="U0LEI1",
        text="vertretung <@U0LEI2> <@U0NUE1> bis 31.12.",
        response_url=bot.slack.response_url("r"),
    )
    [refused] = replies(bot)
    assert "Eine Vertretung tragen die Ansprechpartner/innen der Städte für sich ein" in refused
    with bot.session_factory() as s:
        assert s.exec(select(AuditEntry)).all() == []
    said = run_command(bot, "U0COORD1", "vertretung <@U0BRE3> <@U0LEI2> bis 31.12.")
    assert "<@U0LEI2> vertritt <@U0BRE3>" in said
    assert "vertritt <@U0BRE3>" in last_dm(bot, "U0BRE3").params["text"]
    # A topic contact decides for no city: the deputy hears only of the namings (no "–").
    assert last_dm(bot, "U0LEI2").params["text"] == (
        "Sie vertreten <@U0BRE3> bis Do, 31. Dez. 2026 (eingetragen von <@U0COORD1>). Bis dahin "
        "bekommen Sie die neuen Anfragen zum Benennen von Expert/innen, die sonst an <@U0BRE3> "
        "gingen."
    )
    # Bremen's topic contact is away: the naming request goes to the deputy.
    seed(bot, state="approved")
    naming = last_dm(bot, "U0LEI2")
    assert ids.A_NAME_EXPERTS in buttons(naming.params["blocks"])
    assert not any(ids.A_NAME_EXPERTS in buttons(m.params["blocks"]) for m in dms_to(bot, "U0BRE3"))
    # The deputy names; the closed naming message says for whom, as a decision does.
    click(bot, "U0LEI2", naming, ids.A_NAME_EXPERTS)
    status, body = submit_opened(
        bot, "U0LEI2", {ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP1"])}}
    )
    assert status == 200 and not body
    [closed] = [
        u for u in bot.slack.delivered("chat.update") if u.params["ts"] == naming.response["ts"]
    ]
    first = blocks_text(closed.params["blocks"]).split("\n")[0]
    assert first.startswith(":busts_in_silhouette: *Expert/innen benannt* von <@U0LEI2> · <!date^")
    assert first.endswith(" (in Vertretung für <@U0BRE3>): <@U0EXP1>")
    with bot.session_factory() as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "match")).one()
    assert (entry.actor, entry.on_behalf_of) == ("U0LEI2", "U0BRE3")
    # A coordinator ends it: both hear who did.
    run_command(bot, "U0COORD1", "vertretung ende <@U0BRE3>")
    for user in ("U0BRE3", "U0LEI2"):
        assert last_dm(bot, user).params["text"] == (
            "<@U0COORD1> hat die Vertretung für <@U0BRE3> beendet. Neue Anfragen gehen wieder "
            "an <@U0BRE3>."
        )


def test_a_city_whose_contacts_are_all_away_goes_straight_to_the_coordinators(bot):
    said = run_command(bot, "U0BRE1", "vertretung bis 31.12.")
    assert said == (
        ":palm_tree: Abwesenheit eingetragen: <@U0BRE1> ist bis Do, 31. Dez. 2026 abwesend, "
        "ohne Vertretung. Bis dahin bekommt <@U0BRE1> keine neuen Anfragen zum Entscheiden oder "
        "Benennen."
    )
    submit_request(
        bot,
        "U0REQ2",
        view_id="VAWAY",
        own_city=p.select_value("bremen", "Bremen"),
        partners=p.multi_select_values(["leipzig"], ["Leipzig"]),
    )
    assert dms_to(bot, "U0BRE1") == []
    handed = last_dm(bot, "U0COORD1")
    assert handed.params["text"].startswith("Alle abwesend, bitte entscheiden: #1")
    assert "alle Ansprechpartner/innen von Bremen (<@U0BRE1>) sind abwesend" in blocks_text(
        handed.params["blocks"]
    )
    click(bot, "U0COORD1", handed, ids.A_APPROVE)
    with bot.session_factory() as s:
        assert s.exec(select(ExchangeRequest)).one().status == "approved"


def _home(bot, user: str) -> dict:
    bot.http.event(p.app_home_opened(user_id=user))
    published = [c for c in bot.slack.delivered("views.publish") if c.params["user_id"] == user]
    return published[-1].params["view"]


def test_the_home_tab_sets_shows_and_ends_a_deputy(bot):
    view = _home(bot, "U0LEI1")
    assert "Keine Vertretung eingetragen" in blocks_text(view["blocks"])
    bot.http.click(
        action_id=ids.A_DEPUTY_SET,
        value="set",
        user_id="U0LEI1",
        container_type="view",
        view={**view, "id": "VHOMEU0LEI1", "hash": "1"},
    )
    opened = bot.slack.delivered("views.open")[-1].params["view"]
    assert opened["callback_id"] == ids.VIEW_DEPUTY
    assert ids.B_DEPUTY_AWAY not in {b.get("block_id") for b in opened["blocks"]}
    values = {
        ids.B_DEPUTY_PERSON: {ids.VALUE: {"type": "users_select", "selected_user": "U0LEI1"}},
        ids.B_DEPUTY_UNTIL: {ids.VALUE: {"type": "datepicker", "selected_date": "2026-11-01"}},
    }
    status, body = bot.http.submit(
        callback_id=ids.VIEW_DEPUTY, user_id="U0LEI1", values=values, private_metadata="{}"
    )
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {ids.B_DEPUTY_PERSON, ids.B_DEPUTY_UNTIL}
    values[ids.B_DEPUTY_PERSON][ids.VALUE]["selected_user"] = "U0NUE1"
    values[ids.B_DEPUTY_UNTIL][ids.VALUE]["selected_date"] = "2026-12-18"
    status, body = bot.http.submit(
        callback_id=ids.VIEW_DEPUTY, user_id="U0LEI1", values=values, private_metadata="{}"
    )
    assert status == 200 and not body

    submit_request(bot, "U0REQ1", view_id="VDEP3")
    mine = blocks_text(_home(bot, "U0LEI1")["blocks"])
    assert "<@U0NUE1> vertritt Sie bis Fr, 18. Dez. 2026" in mine
    deputy_home = _home(bot, "U0NUE1")
    text = blocks_text(deputy_home["blocks"])
    assert "Sie vertreten <@U0LEI1> bis Fr, 18. Dez. 2026" in text
    assert "Warten auf Ihre Entscheidung" in text and "Quartiersschulen" in text

    view = _home(bot, "U0LEI1")
    bot.http.click(
        action_id=ids.A_DEPUTY_END,
        value="end",
        user_id="U0LEI1",
        container_type="view",
        view={**view, "id": "VHOMEU0LEI1", "hash": "1"},
    )
    assert "Keine Vertretung eingetragen" in blocks_text(_home(bot, "U0LEI1")["blocks"])
    assert "Sie vertreten" not in blocks_text(_home(bot, "U0NUE1")["blocks"])


def test_an_all_away_request_is_not_escalated_again(bot):
    from bot.entry.scheduler import remind_job

    run_command(bot, "U0BRE1", "abwesend bis 31.12.")
    seed(bot, state="submitted", requester="U0REQ2", own="bremen", partners=("leipzig",))
    handed = len(dms_to(bot, "U0COORD1"))
    assert handed == 1
    bot.clock.now = datetime(2026, 12, 4, 9, tzinfo=UTC)  # 6 working days later, 10:00
    remind_job(bot.services)
    assert len(dms_to(bot, "U0COORD1")) == handed and dms_to(bot, "U0BRE1") == []
