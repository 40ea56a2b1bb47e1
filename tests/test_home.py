"""The Home tab for a requester, a contact and a coordinator; its buttons check like DMs."""

from __future__ import annotations

from sqlmodel import select

from bot.slack import ids
from models import ExchangeRequest
from tests import payloads as p
from tests.flows import blocks_text, buttons, last_dm, submit_request
from tests.seed import seed


def _open_home(bot, user: str) -> dict:
    status, _ = bot.http.event(p.app_home_opened(user_id=user))
    assert status == 200
    published = [c for c in bot.slack.delivered("views.publish") if c.params["user_id"] == user]
    assert published, bot.slack.methods()
    return published[-1].params["view"]


def _home_click(bot, user: str, view: dict, action_id: str, value: str | None = None):
    value = value or buttons(view["blocks"])[action_id]
    return bot.http.click(
        action_id=action_id,
        value=value,
        user_id=user,
        container_type="view",
        view={**view, "id": "VHOME" + user, "hash": "1"},
    )


def test_requester_sees_the_new_button_and_their_requests_with_next_step(bot):
    submit_request(bot, "U0REQ1")
    view = _open_home(bot, "U0REQ1")
    assert view["type"] == "home"
    assert ids.A_NEW_REQUEST in buttons(view["blocks"])
    text = blocks_text(view["blocks"])
    assert "Ihre Anfragen" in text and "#1 Quartiersschulen gemeinsam planen" in text
    assert "die Ansprechpartner/innen von Leipzig entscheiden" in text
    assert ids.A_CANCEL in buttons(view["blocks"])
    assert "Warten auf Ihre Entscheidung" not in text
    # The new-request button opens the form (views.open first).
    mark = len(bot.slack.calls)
    _home_click(bot, "U0REQ1", view, ids.A_NEW_REQUEST)
    assert bot.slack.calls[mark].method == "views.open"


def test_contact_decides_from_home_with_the_same_checks(bot):
    submit_request(bot, "U0REQ1")
    view = _open_home(bot, "U0LEI1")
    assert "Warten auf Ihre Entscheidung" in blocks_text(view["blocks"])
    assert set(buttons(view["blocks"])) >= {ids.A_APPROVE, ids.A_DECLINE, ids.A_ASK}
    # An outsider clicking (a forged payload) is refused privately, in a modal.
    outsider = _open_home(bot, "U0OUT1")
    _open_home(bot, "U0LEI2")
    assert ids.A_APPROVE not in buttons(outsider["blocks"])
    _home_click(bot, "U0OUT1", view, ids.A_APPROVE)
    refusal = bot.slack.delivered("views.open")[-1].params["view"]
    assert "Ansprechpartner/innen von Leipzig" in blocks_text(refusal["blocks"])
    _home_click(bot, "U0LEI1", view, ids.A_APPROVE)
    with bot.session_factory() as s:
        assert s.exec(select(ExchangeRequest)).one().status == "approved"
    # The second contact's home (refreshed after the change) no longer offers the decision,
    # and a click on the stale Home tab says who decided.
    second = [c for c in bot.slack.delivered("views.publish") if c.params["user_id"] == "U0LEI2"]
    assert ids.A_APPROVE not in buttons(second[-1].params["view"]["blocks"])
    _home_click(bot, "U0LEI2", view, ids.A_APPROVE)
    said = blocks_text(bot.slack.delivered("views.open")[-1].params["view"]["blocks"])
    assert "<@U0LEI1>" in said and "bereits" in said
    # The partner city's topic contact finds the naming on their Home tab.
    naming = _open_home(bot, "U0BRE3")
    assert "Expert/innen für Bremen gesucht" in blocks_text(naming["blocks"])
    assert buttons(naming["blocks"])[ids.A_NAME_EXPERTS] == "1:2:bremen"


def test_coordinator_sees_every_pending_decision_and_naming(bot):
    submit_request(bot, "U0REQ1", view_id="V1")
    submit_request(
        bot,
        "U0REQ2",
        view_id="V2",
        **{
            ids.B_OWN_CITY: p.select_value("bremen"),
            ids.B_PARTNERS: p.multi_select_values(["nuernberg"]),
        },
    )
    seed(bot, title="Schon genehmigt", partners=("nuernberg",))
    text = blocks_text(_open_home(bot, "U0COORD1")["blocks"])
    assert "#1 " in text.split("Expert/innen benennen")[0] and "#2 " in text
    assert "Schon genehmigt" in text and "Expert/innen für Nürnberg gesucht" in text
    assert "Schon genehmigt" in text.split("Anstehende Austausche")[1]


def test_home_is_refreshed_for_everyone_a_change_concerns_who_uses_it(bot):
    users = ("U0REQ1", "U0LEI1", "U0LEI2", "U0BRE3", "U0COORD1")
    for user in users:
        _open_home(bot, user)
    mark = len(bot.slack.calls)
    submit_request(bot, "U0REQ1")
    refreshed = {c.params["user_id"] for c in bot.slack.calls[mark:] if c.method == "views.publish"}
    assert refreshed == {"U0REQ1", "U0LEI1", "U0LEI2"}
    mark = len(bot.slack.calls)
    from tests.flows import click

    bot.clock.advance(seconds=3)  # past the Home window of the submission's refreshes
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    again = {c.params["user_id"] for c in bot.slack.calls[mark:] if c.method == "views.publish"}
    assert set(users) <= again
    # Nobody who never opened the Home tab is published one (the nearest: Bremen's contact).
    assert "U0BRE1" not in {c.params["user_id"] for c in bot.slack.delivered("views.publish")}


def test_home_stays_within_100_blocks(bot):
    for n in range(30):
        submit_request(
            bot,
            "U0LEI1",
            view_id=f"VMANY{n}",
            **{
                ids.B_OWN_CITY: p.select_value("bremen"),
                ids.B_PARTNERS: p.multi_select_values(["leipzig"]),
            },
        )
    view = _open_home(bot, "U0COORD1")
    assert len(view["blocks"]) <= 100
    assert "… und 22 weitere" in blocks_text(view["blocks"])
    mine = _open_home(bot, "U0LEI1")
    assert len(mine["blocks"]) <= 100 and "… und 22 weitere" in blocks_text(mine["blocks"])
