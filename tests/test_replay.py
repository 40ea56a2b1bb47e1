"""Replays: the same signed submission or click, posted again within Slack's 5-minute
window (identical body and headers), has the effect of one.

For every action that changes something: after the replay the database is exactly as after
the first delivery, and Slack heard nothing new but, at most, a private "already done"
where the person clicked. Then, per action, what "one effect" means in messages: each
person told exactly once, one audit entry.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.entry.scheduler import reflect_job
from bot.slack import ids
from models import ActionMessage, AuditEntry, ExchangeRequest, Expert, OutboxMessage, Reflection
from tests import payloads as p
from tests.flows import (
    blocks_text,
    buttons,
    click,
    form_values,
    last_dm,
    submit_opened,
    text_state,
)
from tests.seed import seed

NOTIFYING = ("chat.postMessage", "chat.update", "conversations.open", "views.publish")


def _db(bot: Any) -> tuple[Any, ...]:
    """Everything a delivery can change."""
    with bot.session_factory() as s:
        requests = s.exec(select(ExchangeRequest).order_by(ExchangeRequest.id)).all()
        audit = s.exec(select(AuditEntry).order_by(AuditEntry.id)).all()
        return (
            [(r.id, r.status, r.version, r.title, r.date_from, r.decided_by) for r in requests],
            [(a.request_id, a.actor, a.action, a.from_status, a.to_status) for a in audit],
            sorted((e.request_id, e.city_key, e.user_id) for e in s.exec(select(Expert)).all()),
            sorted((r.request_id, r.user_id) for r in s.exec(select(Reflection)).all()),
            len(s.exec(select(OutboxMessage)).all()),
            len(s.exec(select(ActionMessage)).all()),
        )


def _audit(bot: Any) -> list[tuple[str, str]]:
    return [(actor, action) for _id, actor, action, _f, _t in _db(bot)[1]]


def _answer(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def replayed(bot: Any, body: str) -> tuple[Any, Any]:
    """Post body signed, then the identical bytes and headers again; the replay changes
    nothing. Returns both answers."""
    headers = p.sign(body)
    status, first, _ = bot.http.post(body, headers)
    assert status == 200, first
    after, mark = _db(bot), len(bot.slack.calls)
    status, second, _ = bot.http.post(body, headers)
    assert status == 200, second
    assert _db(bot) == after
    assert [c.method for c in bot.slack.calls[mark:]] in ([], ["response_url"])
    return _answer(first), _answer(second)


def _click_body(bot: Any, user: str, message: Any, action_id: str, name: str = "r") -> str:
    return p.block_actions(
        action_id=action_id,
        value=buttons(message.params["blocks"])[action_id],
        user_id=user,
        channel_id=message.response["channel"],
        message_ts=message.response["ts"],
        response_url=bot.slack.response_url(name),
    )


def _opened_body(bot: Any, user: str, values: dict[str, Any], *, via: str = "views.open") -> str:
    """The submission of the modal the bot last opened (or turned into a form)."""
    view = bot.slack.delivered(via)[-1].response["view"]
    return p.view_submission(
        callback_id=view["callback_id"],
        user_id=user,
        values=values,
        view_id=view["id"],
        private_metadata=view.get("private_metadata", ""),
    )


def _new_posts(bot: Any, mark: int) -> list[str]:
    """Channels of the messages posted since mark."""
    return sorted(
        c.params["channel"]
        for c in bot.slack.calls[mark:]
        if c.method == "chat.postMessage" and not c.failed
    )


def _request_body(view_id: str = "VREPLAY") -> str:
    return p.view_submission(
        callback_id=ids.VIEW_REQUEST,
        user_id="U0REQ1",
        values=form_values(),
        view_id=view_id,
        private_metadata='{"lang":"de"}',
    )


def test_a_replayed_request_submission_files_one_request(bot):
    first, second = replayed(bot, _request_body())
    assert first == second == ""  # the modal closes both times
    requests, audit, *_ = _db(bot)
    assert [r[:3] for r in requests] == [(1, "submitted", 1)]
    assert [a[2] for a in audit] == ["submit"]
    assert _new_posts(bot, 0) == ["U0LEI1", "U0LEI2", "U0REQ1"]


def test_a_replayed_approve_click_approves_once(bot):
    replayed(bot, _request_body())
    mark = len(bot.slack.calls)
    replayed(bot, _click_body(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE))
    assert [r[1:3] for r in _db(bot)[0]] == [("approved", 2)]
    assert _audit(bot)[1:] == [("U0LEI1", "approve")]
    # The requester, Bremen's topic contact and the coordinator: one message each.
    assert _new_posts(bot, mark) == ["U0BRE3", "U0COORD1", "U0REQ1"]
    updates = [c for c in bot.slack.calls[mark:] if c.method == "chat.update"]
    assert len(updates) == 3  # both copies of the decision message, the confirmation: once
    # The replay is only told, privately, that it changed nothing.
    said = [c.params["text"] for c in bot.slack.calls_to("response_url")]
    assert len(said) == 1 and "<@U0LEI1>" in said[0]


def test_the_same_click_at_once_from_three_connections_approves_once(bot):
    replayed(bot, _request_body())
    body = _click_body(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    headers = p.sign(body)
    mark = len(bot.slack.calls)
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(bot.http.post(body, headers)[0]))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200, 200]
    assert _audit(bot)[1:] == [("U0LEI1", "approve")]
    assert _new_posts(bot, mark) == ["U0BRE3", "U0COORD1", "U0REQ1"]


def test_a_replayed_decline_submission_declines_once(bot):
    replayed(bot, _request_body())
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_DECLINE)
    mark = len(bot.slack.calls)
    body = _opened_body(bot, "U0LEI1", text_state(ids.B_REASON, "Kein Budget mehr."))
    first, second = replayed(bot, body)
    assert first == ""
    assert second["response_action"] == "update"  # the modal says it was already decided
    assert "<@U0LEI1>" in blocks_text(second["view"]["blocks"])
    assert [r[1] for r in _db(bot)[0]] == ["declined"]
    assert _audit(bot)[1:] == [("U0LEI1", "decline")]
    assert _new_posts(bot, mark) == ["U0REQ1"]


def test_a_replayed_question_and_a_replayed_answer_each_happen_once(bot):
    replayed(bot, _request_body())
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_ASK)
    mark = len(bot.slack.calls)
    ask = _opened_body(bot, "U0LEI1", text_state(ids.B_REASON, "Wie viele Personen genau?"))
    replayed(bot, ask)
    assert [r[1:3] for r in _db(bot)[0]] == [("needs_info", 2)]
    assert _new_posts(bot, mark) == ["U0REQ1"]

    click(bot, "U0REQ1", last_dm(bot, "U0REQ1"), ids.A_ANSWER)
    mark = len(bot.slack.calls)
    answer = _opened_body(bot, "U0REQ1", text_state(ids.B_REASON, "Zwei aus dem Schulamt."))
    replayed(bot, answer)
    assert [r[1:3] for r in _db(bot)[0]] == [("submitted", 3)]
    assert _audit(bot)[1:] == [("U0LEI1", "ask"), ("U0REQ1", "answer")]
    # Both contacts asked again, once each (the requester's messages are updated instead).
    assert _new_posts(bot, mark) == ["U0LEI1", "U0LEI2"]
    # The question replayed once more, after the answer, is stale: still nothing.
    status, _, _ = bot.http.post(ask, p.sign(ask))
    assert status == 200 and _audit(bot)[1:] == [("U0LEI1", "ask"), ("U0REQ1", "answer")]


def test_a_replayed_edit_submission_edits_once(bot):
    replayed(bot, _request_body())
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_ASK)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Geht es auch im Januar?"))
    click(bot, "U0REQ1", last_dm(bot, "U0REQ1"), ids.A_EDIT)
    form = bot.slack.delivered("views.update")[-1].params["view"]
    assert form["callback_id"] == ids.VIEW_REQUEST and '"edit":1' in form["private_metadata"]
    values = form_values(
        **{ids.B_DATE_FROM: p.date_value("2027-01-11"), ids.B_DATE_TO: p.date_value("2027-01-12")}
    )
    mark = len(bot.slack.calls)
    first, second = replayed(bot, _opened_body(bot, "U0REQ1", values, via="views.update"))
    assert first == "" and second["response_action"] == "update"
    [request] = _db(bot)[0]
    assert request[1:3] == ("submitted", 3) and request[4] == date(2027, 1, 11)
    assert _audit(bot)[1:] == [("U0LEI1", "ask"), ("U0REQ1", "edit")]
    assert _new_posts(bot, mark) == ["U0LEI1", "U0LEI2"]


def test_a_replayed_cancel_click_cancels_once(bot):
    replayed(bot, _request_body())
    mark = len(bot.slack.calls)
    replayed(bot, _click_body(bot, "U0REQ1", last_dm(bot, "U0REQ1"), ids.A_CANCEL))
    assert [r[1] for r in _db(bot)[0]] == ["cancelled"]
    assert _audit(bot)[1:] == [("U0REQ1", "cancel")]
    # The contacts are told; the requester's own confirmation DM is updated instead.
    assert _new_posts(bot, mark) == ["U0LEI1", "U0LEI2"]
    assert len([c for c in bot.slack.calls[mark:] if c.method == "chat.update"]) == 3


def test_a_replayed_name_experts_submission_names_them_once(bot):
    replayed(bot, _request_body())
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    click(bot, "U0BRE3", last_dm(bot, "U0BRE3"), ids.A_NAME_EXPERTS)
    mark = len(bot.slack.calls)
    values = {
        ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP1", "U0EXP2"])},
        ids.B_NOTE: {ids.VALUE: p.text_value("Beide kennen das Thema.")},
    }
    first, second = replayed(bot, _opened_body(bot, "U0BRE3", values))
    assert first == "" and second["response_action"] == "update"
    requests, _audit_rows, experts, *_ = _db(bot)
    assert [r[1] for r in requests] == ["matched"]
    assert experts == [(1, "bremen", "U0EXP1"), (1, "bremen", "U0EXP2")]
    assert _audit(bot)[2:] == [("U0BRE3", "match")]
    groups = [c for c in bot.slack.calls[mark:] if c.method == "conversations.open"]
    assert [c.params["users"] for c in groups if "," in c.params["users"]] == [
        "U0REQ1,U0EXP1,U0EXP2,U0BRE3"
    ]
    channel = next(c.response["channel"]["id"] for c in groups if "," in c.params["users"])
    assert _new_posts(bot, mark).count(channel) == 1  # one introduction


def test_a_replayed_reflection_is_stored_once(bot):
    request_id = seed(bot, state="matched", date_from=date(2026, 12, 7), date_to=date(2026, 12, 9))
    bot.clock.now = datetime(2026, 12, 10, 8, 30, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)
    reflect_job(bot.services)
    prompt = last_dm(bot, "U0EXP1")
    click(bot, "U0EXP1", prompt, ids.A_REFLECT)
    values = {
        ids.B_WORKED: {ids.VALUE: p.text_value("Der Blick von außen.")},
        ids.B_NOT_WORKED: {ids.VALUE: p.text_value("")},
        ids.B_RECOMMEND: {ids.VALUE: p.radio_value("yes")},
        ids.B_RATING: {ids.VALUE: p.radio_value("5")},
    }
    mark = len(bot.slack.calls)
    first, second = replayed(bot, _opened_body(bot, "U0EXP1", values))
    assert first == "" and second["response_action"] == "update"
    requests, audit, _experts, reflections, *_ = _db(bot)
    assert [(r[0], r[1]) for r in requests] == [(request_id, "completed")]
    assert reflections == [(request_id, "U0EXP1")]
    assert [a[2] for a in audit].count("complete") == 1
    posts = _new_posts(bot, mark)
    assert len(posts) == len(set(posts))  # whoever is told about it, once
