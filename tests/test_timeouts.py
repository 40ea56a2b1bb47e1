"""A post that times out may still have reached Slack: it is found, not posted twice."""

from __future__ import annotations

from collections import Counter

from sqlmodel import select

from models import OutboxMessage
from tests.flows import submit_request
from tests.seed import seed


def _drain(bot, seconds: float = 600) -> None:
    bot.clock.advance(seconds=seconds)
    while bot.services.outbox.deliver_due():
        pass


def test_timed_out_dm_is_not_posted_twice(bot):
    bot.slack.answer_late(bot.services.client, "chat.postMessage")  # posted, answered too late
    submit_request(bot, "U0REQ1")
    _drain(bot)
    posted = Counter(c.params["channel"] for c in bot.slack.delivered("chat.postMessage"))
    assert posted == {"U0REQ1": 1, "U0LEI1": 1, "U0LEI2": 1}
    with bot.session_factory() as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.method == "chat.postMessage"))
        assert all(r.sent_at and r.result_ts for r in rows)
    assert bot.slack.delivered("conversations.history")  # it looked before posting again


def test_timed_out_group_dm_is_not_posted_twice(bot):
    request_id = seed(bot, state="approved")
    bot.slack.answer_late(bot.services.client, "chat.postMessage")
    from bot.usecases import matching

    matching.name_experts(
        bot.session_factory,
        request_id,
        "bremen",
        ["U0EXP1"],
        actor="U0BRE3",
        note=None,
        ctx=bot.services.context(),
        now=bot.clock(),
    )
    bot.services.deliver()
    _drain(bot)
    groups = [c for c in bot.slack.delivered("conversations.open") if "," in c.params["users"]]
    group_channel = groups[0].response["channel"]["id"]
    intros = [
        c for c in bot.slack.delivered("chat.postMessage") if c.params["channel"] == group_channel
    ]
    assert len(intros) == 1


def test_timeout_without_a_post_is_retried(bot):
    bot.services.client.timeout = 1
    bot.slack.fail("chat.postMessage", status=500, times=1)
    submit_request(bot, "U0REQ1")
    _drain(bot)
    posted = Counter(c.params["channel"] for c in bot.slack.delivered("chat.postMessage"))
    assert posted == {"U0REQ1": 1, "U0LEI1": 1, "U0LEI2": 1}
