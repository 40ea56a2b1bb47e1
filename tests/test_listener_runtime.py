"""Around every listener, as the bot runs in production (acks before the work): the outbox
is delivered once the listener finished, and a refusal is answered by the one error handler,
in the ack when the payload still waits for it (a modal's response_action)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_bolt import Ack, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.domain.errors import Refused
from bot.entry.http import make_http_server
from bot.entry.runtime import build
from bot.slack import ids
from bot.slack.listeners.errors import on_error
from tests.conftest import USERS, BotUnderTest, Clock, settings_for
from tests.fakeslack import FakeSlack
from tests.flows import blocks_text, click, dms_to, last_dm, submit_request, text_state
from tests.payloads import SlackHTTP

REQUESTER, CONTACT, OTHER_CONTACT = "U0REQ1", "U0LEI1", "U0LEI2"
# Listeners run in Bolt's threads after the ack, as in production: a click waits for a
# message's note as long as in production (the other tests wait less, conftest.py).
pytestmark = pytest.mark.usefixtures("production_note_wait")


@pytest.fixture
def production_bot(
    fake_slack: FakeSlack, database_url: str, directory_file: Path, clock: Clock
) -> Iterator[BotUnderTest]:
    """Like `bot`, but process_before_response off: Bolt runs listeners in its threads."""
    for user, email in USERS.items():
        fake_slack.set_user(user, email=email)
    settings = settings_for(fake_slack, database_url, directory_file)
    runtime = build(settings, clock=clock, process_before_response=False)
    server = make_http_server(runtime, "127.0.0.1", 0)
    # Its shutdown() wakes the loop at once: no short poll interval needed.
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    fake_slack.clear()
    try:
        yield BotUnderTest(runtime, SlackHTTP(url), fake_slack, clock, url)
    finally:
        server.shutdown()
        server.server_close()
        # Let the listener threads finish their deliveries while the fake still answers.
        runtime.app.listener_runner.listener_executor.shutdown(wait=True)
        runtime.stop()


def settled(bot: BotUnderTest, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while bot.services.outbox.pending():
        assert time.monotonic() < deadline, "the outbox did not drain"
        time.sleep(0.02)


def test_what_a_listener_left_in_the_outbox_is_delivered_after_it(production_bot):
    bot = production_bot
    assert not bot.services.outbox.running  # no sender thread: only the hook can send

    assert submit_request(bot, REQUESTER) == (200, "")

    bot.slack.wait_for("chat.postMessage", 3, delivered=True)
    sent = Counter(c.params["channel"] for c in bot.slack.delivered("chat.postMessage"))
    assert sent == {REQUESTER: 1, CONTACT: 1, OTHER_CONTACT: 1}


def test_a_refused_click_is_said_below_the_message(production_bot):
    bot = production_bot
    submit_request(bot, REQUESTER)
    bot.slack.wait_for("chat.postMessage", 3, delivered=True)
    settled(bot)  # the messages' ts stored: their later updates need not wait for them
    late = last_dm(bot, OTHER_CONTACT)
    assert click(bot, CONTACT, last_dm(bot, CONTACT), ids.A_APPROVE, name="first") == (200, "")
    bot.slack.wait_for("chat.update", 2, delivered=True)  # both decision messages closed
    # filed (3), then approved: the requester, the namer in Bremen, the coordinator.
    bot.slack.wait_for("chat.postMessage", 6, delivered=True)

    status, body = click(bot, OTHER_CONTACT, late, ids.A_APPROVE, name="late")

    assert (status, body) == (200, "")
    [reply] = bot.slack.wait_for("response_url")
    assert f"<@{CONTACT}>" in reply.params["text"]  # who decided first
    assert reply.params["response_type"] == "ephemeral"
    assert len(dms_to(bot, REQUESTER)) == 2  # filed, approved: nothing more


def test_a_refused_submission_is_answered_in_its_ack(production_bot):
    bot = production_bot
    submit_request(bot, REQUESTER)
    bot.slack.wait_for("chat.postMessage", 3, delivered=True)
    settled(bot)
    click(bot, CONTACT, last_dm(bot, CONTACT), ids.A_APPROVE, name="first")
    bot.slack.wait_for("chat.update", 2, delivered=True)

    status, body = bot.http.submit(
        callback_id=ids.VIEW_DECLINE,
        user_id=OTHER_CONTACT,
        values=text_state(ids.B_REASON, "Zu teuer"),
        view_id="V0DEC1",
        private_metadata=json.dumps({"id": 1, "v": 1, "lang": "de"}),
    )

    assert status == 200
    assert body["response_action"] == "update"
    assert f"<@{CONTACT}>" in blocks_text(body["view"]["blocks"])


def test_a_refusal_before_the_ack_leaves_the_requests_ack_to_bolt(production_bot):
    """Bolt's HTTP thread sends whatever `response` holds the moment the request's ack is
    set. The error handler must build its answer apart and return it, so Bolt copies it into
    `response` first; acking the request itself sent Slack a 500 now and then (under load)."""
    bot = production_bot
    ack = Ack()
    pending = BoltResponse(status=500)  # what Bolt hands over for a listener failed unacked
    body = {
        "type": "view_submission",
        "user": {"id": OTHER_CONTACT},
        "view": {"id": "V0DEC1", "callback_id": ids.VIEW_DECLINE, "private_metadata": "{}"},
    }

    answer = on_error(
        bot.services,
        Refused("refused.not_contact", {"city": "Leipzig"}),
        body,
        BoltContext(),
        ack,
        pending,
        WebClient(base_url=bot.slack.url, token="xoxb-test"),
    )

    assert ack.response is None  # untouched: Bolt sets it once `pending` carries the answer
    assert answer is not None and answer.status == 200
    sent = json.loads(answer.body)
    assert sent["response_action"] == "update"
    assert "Leipzig" in blocks_text(sent["view"]["blocks"])


def test_the_ack_leaves_as_soon_as_the_listener_gives_it(production_bot):
    """The HTTP thread is woken by the ack, not by a look every 10 ms (Bolt's own runner
    sleeps 10 ms whenever the ack is not there at its first look, so none of its answers
    comes sooner): the fastest of 20 `/cr-request help` answers takes well under 10 ms."""
    took = []
    for _ in range(20):
        started = time.perf_counter()
        status, body = production_bot.http.command(user_id=REQUESTER, text="help")
        took.append(time.perf_counter() - started)
        assert status == 200 and "/cr-request" in json.dumps(body)
    assert min(took) < 0.008, sorted(took)[:3]
