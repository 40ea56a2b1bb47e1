"""Goals agreed at the start: the form's goals, the host side's offer from the naming
modal, and the agreement in the group DM that each participant confirms."""

from __future__ import annotations

from sqlmodel import select

from bot.slack import ids
from models import ExchangeRequest, Expert
from tests import payloads as p
from tests.flows import blocks_text, buttons, click, last_dm, replies, submit_opened, submit_request
from tests.test_search import exchange

GOALS = "Wie die Stadt die Standorte ausgewählt hat"
OFFER = "Führung durch zwei Mobilitätsstationen"


def matched_with_agreement(bot):
    """Filed with goals over HTTP, approved, named over HTTP with an offer."""
    submit_request(bot, "U0REQ1", **{ids.B_GOALS: p.text_value(GOALS)})
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    click(bot, "U0BRE3", last_dm(bot, "U0BRE3"), ids.A_NAME_EXPERTS)
    opened = bot.slack.delivered("views.open")[-1].params["view"]
    assert ids.B_OFFER in [b.get("block_id") for b in opened["blocks"]]
    submit_opened(
        bot,
        "U0BRE3",
        {
            ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP1"])},
            ids.B_OFFER: {ids.VALUE: p.text_value(OFFER)},
        },
    )
    [group] = [c for c in bot.slack.delivered("conversations.open") if "," in c.params["users"]]
    channel = group.response["channel"]["id"]
    [intro] = [c for c in bot.slack.delivered("chat.postMessage") if c.params["channel"] == channel]
    return intro


def test_goals_are_stored_and_the_offer_is_stored_with_the_experts(bot):
    matched_with_agreement(bot)
    with bot.session_factory() as s:
        assert s.exec(select(ExchangeRequest.goals)).one() == GOALS
        assert s.exec(select(Expert.offer)).one() == OFFER


def test_the_introduction_carries_the_agreement_with_a_confirm_button(bot):
    intro = matched_with_agreement(bot)

    text = blocks_text(intro.params["blocks"])
    assert "*Unsere Vereinbarung*" in text
    assert f"*Mitnehmen möchte <@U0REQ1>:*\n> {GOALS}" in text
    assert f"*Bremen bietet:*\n> {OFFER}" in text
    assert "*Wann:* Mo, 7. Dez. 2026 – Mi, 9. Dez. 2026" in text
    assert "*Wo:* Bremen" in text
    assert "Noch offen: <@U0REQ1>, <@U0EXP1> und <@U0BRE3>" in text
    assert buttons(intro.params["blocks"])[ids.A_CONFIRM_AGREEMENT] == "1"


def test_each_confirmation_updates_the_introduction_to_show_who_confirmed(bot):
    intro = matched_with_agreement(bot)

    click(bot, "U0EXP1", intro, ids.A_CONFIRM_AGREEMENT, name="exp")

    [update] = [
        c for c in bot.slack.delivered("chat.update") if c.params["ts"] == intro.response["ts"]
    ]
    assert update.params["channel"] == intro.response["channel"]
    text = blocks_text(update.params["blocks"])
    assert "Bestätigt von <@U0EXP1>" in text
    assert "Noch offen: <@U0REQ1> und <@U0BRE3>" in text
    assert update.params["text"] == intro.params["text"]  # the push text stays the intro's
    assert replies(bot, "exp") == []

    click(bot, "U0REQ1", intro, ids.A_CONFIRM_AGREEMENT)
    click(bot, "U0BRE3", intro, ids.A_CONFIRM_AGREEMENT)

    last = [c for c in bot.slack.delivered("chat.update") if c.params["ts"] == intro.response["ts"]]
    final = last[-1].params["blocks"]
    assert "Alle haben bestätigt: <@U0EXP1>, <@U0REQ1> und <@U0BRE3>" in blocks_text(final)
    assert ids.A_CONFIRM_AGREEMENT not in buttons(final)


def test_outsiders_and_second_clicks_change_nothing_and_are_told_privately(bot):
    intro = matched_with_agreement(bot)
    click(bot, "U0EXP1", intro, ids.A_CONFIRM_AGREEMENT)
    updates = len(bot.slack.delivered("chat.update"))

    click(bot, "U0OUT1", intro, ids.A_CONFIRM_AGREEMENT, name="out")
    click(bot, "U0EXP1", intro, ids.A_CONFIRM_AGREEMENT, name="again")

    assert "Bestätigen können nur die Teilnehmenden des Austauschs #1" in replies(bot, "out")[-1]
    assert "schon bestätigt" in replies(bot, "again")[-1]
    assert len(bot.slack.delivered("chat.update")) == updates


def test_without_goals_the_agreement_asks_for_them_and_an_online_exchange_is_online(bot):
    submit_request(bot, "U0REQ1", **{ids.B_DIRECTION: p.radio_value("online", "Online")})
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    click(bot, "U0BRE3", last_dm(bot, "U0BRE3"), ids.A_NAME_EXPERTS)
    submit_opened(bot, "U0BRE3", {ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP1"])}})
    [group] = [c for c in bot.slack.delivered("conversations.open") if "," in c.params["users"]]
    channel = group.response["channel"]["id"]
    [intro] = [c for c in bot.slack.delivered("chat.postMessage") if c.params["channel"] == channel]
    text = blocks_text(intro.params["blocks"])
    assert "noch offen – gern hier im Chat ergänzen" in text and "*Wo:* online" in text
    assert "bietet" not in text


def test_the_naming_modal_suggests_who_was_expert_on_the_topic_before(bot):
    exchange(bot, experts=("U0EXP7",))
    exchange(bot, experts=("U0EXP7", "U0EXP8"))
    exchange(bot, experts=("U0EXP9",), partners=("nuernberg",))  # another city
    request_id = exchange(bot, state="approved")
    naming = [
        m
        for m in bot.slack.delivered("chat.postMessage")
        if m.params["channel"] == "U0BRE3"
        and buttons(m.params.get("blocks", []))
        .get(ids.A_NAME_EXPERTS, "")
        .startswith(f"{request_id}:")
    ][-1]

    click(bot, "U0BRE3", naming, ids.A_NAME_EXPERTS)

    shown = bot.slack.delivered("views.update")[-1].params["view"]
    text = blocks_text(shown["blocks"])
    assert (
        "Schon Expert/in zu Wohnen aus Bremen: <@U0EXP7> (2 Austausche) und <@U0EXP8> (1 Austausch)"
    ) in text
    assert "U0EXP9" not in text
    # The suggestion comes before the field where experts are picked.
    hint = next(i for i, b in enumerate(shown["blocks"]) if "Schon Expert/in" in blocks_text([b]))
    field = next(i for i, b in enumerate(shown["blocks"]) if b.get("block_id") == ids.B_EXPERTS)
    assert hint < field


def test_the_contacts_decide_knowing_what_the_requester_wants_to_take_home(bot):
    submit_request(bot, "U0REQ1", **{ids.B_GOALS: p.text_value(GOALS)})
    text = blocks_text(last_dm(bot, "U0LEI1").params["blocks"])
    assert f"*Ziele*\n{GOALS}" in text
    # Without goals there is no empty heading.
    submit_request(bot, "U0REQ1", view_id="V0NOGOALS")
    assert "*Ziele*" not in blocks_text(last_dm(bot, "U0LEI1").params["blocks"])
