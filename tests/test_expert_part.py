"""Experts see their part: a DM when they are named (by whom, for what, when), their Home
tab lists their exchanges with the next step, and the requester's Home says which partner
city has named whom and which is still to name."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.slack import ids
from tests import payloads as p
from tests.flows import blocks_text, buttons, click, dms_to, last_dm, submit_opened, submit_request

TWO_PARTNERS = {ids.B_PARTNERS: p.multi_select_values(["bremen", "nuernberg"])}
NAMED = "hat Sie als Expert/in"


def _open_home(bot, user: str) -> dict:
    status, _ = bot.http.event(p.app_home_opened(user_id=user))
    assert status == 200
    published = [c for c in bot.slack.delivered("views.publish") if c.params["user_id"] == user]
    assert published, bot.slack.methods()
    return published[-1].params["view"]


def _name(bot, namer: str, experts: list[str]) -> None:
    naming = [m for m in dms_to(bot, namer) if ids.A_NAME_EXPERTS in buttons(m.params["blocks"])]
    click(bot, namer, naming[-1], ids.A_NAME_EXPERTS)
    status, body = submit_opened(bot, namer, {ids.B_EXPERTS: {ids.VALUE: p.users_value(experts)}})
    assert status == 200 and not body, body


def _approved_with_two_partners(bot) -> None:
    bot.slack.set_user("U0EXP2", locale="en-US", real_name="Ezra Expert")
    submit_request(bot, "U0REQ1", **TWO_PARTNERS)
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)


def test_a_named_expert_is_told_by_whom_for_what_and_when(bot):
    _approved_with_two_partners(bot)

    _name(bot, "U0BRE3", ["U0EXP1", "U0BRE3"])

    told = last_dm(bot, "U0EXP1")
    assert told.params["text"] == (
        "<@U0BRE3> hat Sie als Expert/in für Bremen benannt: #1 Quartiersschulen gemeinsam "
        "planen (Leipzig → Bremen, Nürnberg), Mo, 7. Dez. 2026 – Mi, 9. Dez. 2026"
    )
    text = blocks_text(told.params["blocks"])
    assert (
        ":wave: <@U0BRE3> hat Sie als Expert/in der Stadt *Bremen* benannt: für die "
        "C+R-Anfrage *#1* von <@U0REQ1>, Mo, 7. Dez. 2026 – Mi, 9. Dez. 2026."
    ) in text
    assert "Sobald alle Partnerstädte ihre Expert/innen benannt haben" in text
    assert "*Frage*" in text or "Wie habt ihr Schule und Stadtteil" in text
    # Who named themselves hears nothing of it.
    assert not [m for m in dms_to(bot, "U0BRE3") if NAMED in m.params["text"]]

    # The last city's expert (English Slack) hears it in English, with the group DM open.
    _name(bot, "U0NUE1", ["U0EXP2"])

    english = last_dm(bot, "U0EXP2")
    assert english.params["text"] == (
        "<@U0NUE1> named you as an expert for Nürnberg: #1 Quartiersschulen gemeinsam planen "
        "(Leipzig → Bremen, Nürnberg), Mon, 7 Dec 2026 – Wed, 9 Dec 2026"
    )
    assert "Everyone is now together in a group conversation: please confirm the agreement" in (
        blocks_text(english.params["blocks"])
    )
    assert len([m for m in dms_to(bot, "U0EXP1") if NAMED in m.params["text"]]) == 1


def test_the_requester_sees_on_home_who_has_named_whom_and_who_is_still_to_name(bot):
    _approved_with_two_partners(bot)
    text = blocks_text(_open_home(bot, "U0REQ1")["blocks"])
    assert "*Expert/innen:* Bremen: _noch nicht benannt_ · Nürnberg: _noch nicht benannt_" in text

    _name(bot, "U0BRE3", ["U0EXP1", "U0BRE3"])

    text = blocks_text(_open_home(bot, "U0REQ1")["blocks"])
    assert (
        "*Expert/innen:* Bremen: <@U0EXP1> und <@U0BRE3> · Nürnberg: _noch nicht benannt_"
    ) in text

    _name(bot, "U0NUE1", ["U0EXP2"])

    text = blocks_text(_open_home(bot, "U0REQ1")["blocks"])
    assert "*Expert/innen:* Bremen: <@U0EXP1> und <@U0BRE3> · Nürnberg: <@U0EXP2>" in text


def test_the_experts_home_lists_the_exchange_with_the_next_step(bot):
    _approved_with_two_partners(bot)
    assert "Ihre Austausche als Expert/in" not in blocks_text(_open_home(bot, "U0EXP1")["blocks"])
    _name(bot, "U0BRE3", ["U0EXP1"])

    text = blocks_text(_open_home(bot, "U0EXP1")["blocks"])
    assert ":mortar_board: Ihre Austausche als Expert/in*" in text
    part = text.split(":mortar_board: Ihre Austausche als Expert/in*")[1]
    assert "*#1 Quartiersschulen gemeinsam planen*" in part
    assert "Expert/in der Stadt Bremen, benannt von <@U0BRE3>" in part
    assert (
        "_Genehmigt – Expert/innen werden gesucht_ – Noch zu benennen: Nürnberg. "
        "Danach stellt eine Gruppen-Nachricht alle vor."
    ) in part

    _name(bot, "U0NUE1", ["U0EXP2"])
    assert "Bitte bestätigen Sie die Vereinbarung in der Gruppen-Nachricht." in blocks_text(
        _open_home(bot, "U0EXP1")["blocks"]
    )
    english = blocks_text(_open_home(bot, "U0EXP2")["blocks"])
    assert ":mortar_board: Your exchanges as an expert*" in english
    assert "Expert from the city of Nürnberg, named by <@U0NUE1>" in english
    assert "Please confirm the agreement in the group conversation." in english

    [group] = [c for c in bot.slack.delivered("conversations.open") if "," in c.params["users"]]
    channel = group.response["channel"]["id"]
    [intro] = [c for c in bot.slack.delivered("chat.postMessage") if c.params["channel"] == channel]
    click(bot, "U0EXP1", intro, ids.A_CONFIRM_AGREEMENT)
    view = _open_home(bot, "U0EXP1")
    assert "Vereinbarung bestätigt – der Austausch steht an." in blocks_text(view["blocks"])
    assert ids.A_REFLECT not in buttons(view["blocks"])

    # The day after the end: reflect, with a button a screen reader names fully.
    bot.clock.now = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
    view = _open_home(bot, "U0EXP1")
    assert "Der Austausch ist vorbei: Wie war es? Ihre Reflexion hilft dem Netzwerk." in (
        blocks_text(view["blocks"])
    )
    [reflect] = [
        e
        for b in view["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == ids.A_REFLECT
    ]
    assert reflect["accessibility_label"] == "Reflexion zu Anfrage #1 schreiben"
    mark = len(bot.slack.calls)
    bot.http.click(
        action_id=ids.A_REFLECT,
        value=reflect["value"],
        user_id="U0EXP1",
        container_type="view",
        view={**view, "id": "VHOMEU0EXP1", "hash": "1"},
    )
    opened = bot.slack.calls[mark]
    assert opened.method == "views.open"
    assert opened.params["view"]["callback_id"] == ids.VIEW_REFLECT
