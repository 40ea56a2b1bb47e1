"""Tests of the Slack test rig itself: the fake answers a real slack_sdk like Slack does,
and the payload builders produce requests Slack's own tooling accepts."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.error import URLError
from urllib.parse import parse_qsl, quote
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.webhook import WebhookClient

from tests import payloads as p
from tests.fakeslack import FakeSlack, FakeSocketModeServer, close_socket_mode_client

# Key names copied from Slack's real payloads (see the README of the shared payload samples).
BOLT_SLASH_COMMAND_KEYS = [
    "token",
    "team_id",
    "team_domain",
    "channel_id",
    "channel_name",
    "user_id",
    "user_name",
    "command",
    "text",
    "enterprise_id",
    "enterprise_name",
    "response_url",
    "trigger_id",
]
DOCS_SLASH_COMMAND_KEYS = [k for k in BOLT_SLASH_COMMAND_KEYS if not k.startswith("enterprise")]
BLOCK_ACTIONS_MESSAGE_KEYS = {
    "type",
    "user",
    "api_app_id",
    "token",
    "container",
    "trigger_id",
    "team",
    "channel",
    "message",
    "response_url",
    "actions",
}
BLOCK_ACTIONS_VIEW_KEYS = {
    "type",
    "user",
    "api_app_id",
    "token",
    "container",
    "trigger_id",
    "team",
    "enterprise",
    "is_enterprise_install",
    "view",
    "actions",
}
VIEW_SUBMISSION_KEYS = {"type", "team", "user", "api_app_id", "token", "trigger_id", "view"}
VIEW_KEYS = {
    "id",
    "team_id",
    "type",
    "title",
    "close",
    "submit",
    "blocks",
    "private_metadata",
    "callback_id",
    "state",
    "hash",
    "clear_on_close",
    "notify_on_close",
    "root_view_id",
    "previous_view_id",
    "app_id",
    "external_id",
    "bot_id",
}
EVENT_CALLBACK_KEYS = {
    "token",
    "team_id",
    "api_app_id",
    "event",
    "type",
    "event_id",
    "event_time",
    "authorizations",
    "is_ext_shared_channel",
}


# A clock for Slack: messages posted "now" get ts 1700000000.000100, .000200, …
SLACK_NOW = datetime.fromtimestamp(1_700_000_000.0001, UTC)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    # No retry handlers: each failure the fake is told to produce reaches the test.
    return WebClient(token="xoxb-test", base_url=fake.url, retry_handlers=[])


# ---- Web API shapes


def test_form_bodies_are_quoted_as_urllib_quotes_them():
    texts = [
        "".join(map(chr, range(256))),
        json.dumps({"t": "Grüße ✓ 😀 a&b=c+d/e f%20", "n": None}, ensure_ascii=False),
        "",
    ]
    for text in texts:
        assert p.quoted(text) == quote(text)


def test_auth_test_answers_with_the_bot_identity(fake: FakeSlack, client: WebClient) -> None:
    answer = client.auth_test()

    assert answer.data == {
        "ok": True,
        "url": "https://crbot-test.slack.com/",
        "team": "CR Bot Test",
        "user": "cr-bot",
        "team_id": "T0CRBOT",
        "user_id": "U0CRBOT",
        "bot_id": "B0CRBOT",
        "is_enterprise_install": False,
    }
    [call] = fake.calls_to("auth.test")
    assert call.token == "xoxb-test"
    assert call.failed is False


def test_json_and_form_bodies_are_parsed_alike(fake: FakeSlack, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]

    client.chat_postMessage(channel="C1", text="json", blocks=blocks)
    client.api_call(
        "chat.postMessage",
        params={"channel": "C1", "text": "form", "blocks": json.dumps(blocks)},
    )

    as_json, as_form = fake.calls_to("chat.postMessage")
    assert as_json.content_type.startswith("application/json")
    assert as_form.content_type == "application/x-www-form-urlencoded"
    assert as_json.params["blocks"] == blocks
    assert as_form.params["blocks"] == blocks
    assert as_form.raw_params["blocks"] == json.dumps(blocks)
    assert (as_json.token, as_form.token) == ("xoxb-test", "xoxb-test")


def test_token_is_also_read_from_the_token_parameter(fake: FakeSlack) -> None:
    request = urllib.request.Request(
        fake.url + "auth.test", data=b"token=xoxb-in-body", method="POST"
    )
    with urllib.request.urlopen(request, timeout=2) as response:
        assert json.loads(response.read())["ok"] is True

    assert fake.calls_to("auth.test")[0].token == "xoxb-in-body"


def test_post_message_answers_like_slack(fake: FakeSlack, client: WebClient) -> None:
    first = client.chat_postMessage(channel="C1", text="one", blocks=[{"type": "divider"}])
    reply = client.chat_postMessage(channel="C1", text="two", thread_ts=first["ts"])

    assert first["channel"] == "C1"
    assert first["ts"] == "1700000000.000100"
    assert reply["ts"] == "1700000000.000200"
    assert first["message"] == {
        "type": "message",
        "text": "one",
        "user": "U0CRBOT",
        "bot_id": "B0CRBOT",
        "app_id": "A0CRBOT",
        "ts": "1700000000.000100",
        "team": "T0CRBOT",
        "blocks": [{"type": "divider"}],
    }
    assert [m["text"] for m in fake.messages("C1")] == ["two", "one"]
    history = client.conversations_history(channel="C1")
    assert [m["text"] for m in history["messages"]] == ["one"]  # replies stay in the thread
    replies = client.conversations_replies(channel="C1", ts=first["ts"])
    assert [m["text"] for m in replies["messages"]] == ["one", "two"]


def test_history_pages_from_newest_to_oldest_with_a_cursor_as_slack_does(
    fake: FakeSlack, client: WebClient
) -> None:
    """conversations.history: newest first, after `oldest` (exclusive unless `inclusive`),
    `limit` a page, `has_more` and `response_metadata.next_cursor` for the next page."""
    now = [SLACK_NOW]
    fake.clock = lambda: now[0]
    posted = []
    for n in range(7):
        posted.append(client.chat_postMessage(channel="C1", text=f"m{n}")["ts"])
        now[0] += timedelta(seconds=10)
    first = client.conversations_history(channel="C1", limit=3)
    assert [m["text"] for m in first["messages"]] == ["m6", "m5", "m4"]
    assert first["has_more"] is True
    cursor = first["response_metadata"]["next_cursor"]
    second = client.conversations_history(channel="C1", limit=3, cursor=cursor)
    assert [m["text"] for m in second["messages"]] == ["m3", "m2", "m1"]
    third = client.conversations_history(
        channel="C1", limit=3, cursor=second["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in third["messages"]] == ["m0"]
    assert third["has_more"] is False and third["response_metadata"]["next_cursor"] == ""
    since = client.conversations_history(channel="C1", oldest=posted[4])
    assert [m["text"] for m in since["messages"]] == ["m6", "m5"]
    since = client.conversations_history(channel="C1", oldest=posted[4], inclusive=True)
    assert [m["text"] for m in since["messages"]] == ["m6", "m5", "m4"]
    before = client.conversations_history(channel="C1", latest=posted[2])
    assert [m["text"] for m in before["messages"]] == ["m1", "m0"]
    # A message's ts is Slack's clock when it was posted.
    assert float(posted[1]) == (SLACK_NOW + timedelta(seconds=10)).timestamp()


def test_post_message_without_content_is_refused(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as error:
        client.api_call("chat.postMessage", json={"channel": "C1"})

    assert error.value.response["error"] == "no_text"


def test_update_delete_and_ephemeral(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C1", text="draft")

    updated = client.chat_update(channel="C1", ts=posted["ts"], text="final", blocks=[])
    ephemeral = client.chat_postEphemeral(channel="C1", user="U1", text="psst")

    assert (updated["channel"], updated["ts"], updated["text"]) == ("C1", posted["ts"], "final")
    assert updated["message"]["text"] == "final"
    assert fake.messages("C1")[0]["text"] == "final"
    assert ephemeral["message_ts"] > posted["ts"]
    assert client.chat_delete(channel="C1", ts=posted["ts"])["ts"] == posted["ts"]
    assert fake.messages("C1") == []


def test_conversations_open_gives_stable_dm_and_mpim_ids(
    fake: FakeSlack, client: WebClient
) -> None:
    dm = client.conversations_open(users="U1")["channel"]["id"]
    again = client.conversations_open(users=["U1"])
    group = client.conversations_open(users=["U2", "U1"])["channel"]["id"]
    same_group = client.conversations_open(users="U1,U2")["channel"]["id"]
    posted = client.chat_postMessage(channel="U1", text="hi")

    assert dm.startswith("D")
    assert again["channel"]["id"] == dm
    assert again["already_open"] is True
    assert group.startswith("G")
    assert group == same_group != dm
    assert posted["channel"] == dm  # posting to a user id lands in the DM
    assert [m["text"] for m in fake.messages(dm)] == ["hi"]


def test_views_open_update_push_publish(fake: FakeSlack, client: WebClient) -> None:
    spec = {
        "type": "modal",
        "callback_id": "cr_form",
        "title": {"type": "plain_text", "text": "Form"},
        "blocks": [{"type": "divider"}],
        "private_metadata": "m1",
        "external_id": "ext-1",
    }

    opened = client.views_open(trigger_id="t1", view=spec)["view"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=spec)["view"]
    by_external = client.views_update(external_id="ext-1", view=spec)["view"]
    pushed = client.views_push(trigger_id="t2", view=spec)["view"]
    home = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]
    home_again = client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]

    assert opened["id"].startswith("V")
    assert opened["state"] == {"values": {}}
    assert (opened["callback_id"], opened["private_metadata"]) == ("cr_form", "m1")
    assert (opened["type"], opened["blocks"]) == ("modal", [{"type": "divider"}])
    assert updated["id"] == by_external["id"] == opened["id"]
    assert updated["hash"] != opened["hash"]
    assert pushed["id"] != opened["id"]
    assert home["type"] == "home"
    assert home_again["id"] == home["id"]
    assert fake.view(opened["id"])["hash"] == by_external["hash"]
    assert isinstance(fake.calls_to("views.open")[0].params["view"], dict)
    with pytest.raises(SlackApiError) as stale:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=spec)
    assert stale.value.response["error"] == "hash_conflict"


def test_users_info_and_lookup_by_email(fake: FakeSlack, client: WebClient) -> None:
    fake.set_user("U1", email="anna@example.org", real_name="Anna A")

    with_locale = client.users_info(user="U1", include_locale=True)["user"]
    without_locale = client.users_info(user="U1")["user"]
    found = client.users_lookupByEmail(email="ANNA@example.org")["user"]

    assert with_locale["locale"] == "de-DE"
    assert "locale" not in without_locale
    assert with_locale["tz"] == "Europe/Berlin"
    assert with_locale["tz_offset"] in (3600, 7200)
    assert with_locale["real_name"] == "Anna A"
    assert with_locale["profile"]["email"] == "anna@example.org"
    assert with_locale["profile"]["display_name"] == "anna"
    assert found["id"] == "U1"
    for call, error in [
        (lambda: client.users_info(user="U404"), "user_not_found"),
        (lambda: client.users_lookupByEmail(email="nobody@example.org"), "users_not_found"),
    ]:
        with pytest.raises(SlackApiError) as failure:
            call()
        assert failure.value.response["error"] == error


def test_files_upload_v2_goes_through_the_fake(fake: FakeSlack, client: WebClient) -> None:
    answer = client.files_upload_v2(
        channel="C1", content="a,b\n1,2\n", filename="r.csv", title="Report"
    )

    assert fake.methods() == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]
    get_url, upload, complete = fake.calls
    assert get_url.params["filename"] == "r.csv"
    assert upload.params["content"] == b"a,b\n1,2\n"
    assert complete.params["files"] == [{"id": upload.params["file_id"], "title": "Report"}]
    assert complete.params["channel_id"] == "C1"
    assert answer["file"]["id"] == upload.params["file_id"]


def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    answer = WebhookClient(fake.response_url("cmd")).send(text="done", response_type="ephemeral")

    assert answer.status_code == 200
    [call] = fake.calls_to("response_url")
    assert call.params == {"text": "done", "response_type": "ephemeral", "_name": "cmd"}


def test_unknown_methods_answer_ok_and_are_recorded(fake: FakeSlack, client: WebClient) -> None:
    assert client.reactions_add(channel="C1", timestamp="1.2", name="eyes")["ok"] is True
    assert fake.calls_to("reactions.add")[0].params["name"] == "eyes"


def test_apps_connections_open_needs_a_socket_mode_url(fake: FakeSlack) -> None:
    app_client = WebClient(base_url=fake.url, retry_handlers=[])
    with pytest.raises(SlackApiError):
        app_client.apps_connections_open(app_token="xapp-test")

    fake.socket_mode_url = "ws://127.0.0.1:1/link"
    assert app_client.apps_connections_open(app_token="xapp-test")["url"] == fake.socket_mode_url
    assert fake.calls_to("apps.connections.open")[1].token == "xapp-test"


# ---- failures


def test_http_500_is_recorded_as_failed(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", status=500)

    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel="C1", text="lost")
    client.chat_postMessage(channel="C1", text="kept")

    assert error.value.response.status_code == 500
    assert [c.failed for c in fake.calls_to("chat.postMessage")] == [True, False]
    assert [c.params["text"] for c in fake.delivered("chat.postMessage")] == ["kept"]
    assert [m["text"] for m in fake.messages("C1")] == ["kept"]


def test_sdk_retry_handler_sees_the_500(fake: FakeSlack) -> None:
    retrying = WebClient(
        token="xoxb-test",
        base_url=fake.url,
        retry_handlers=[ServerErrorRetryHandler(1, FixedValueRetryIntervalCalculator(0))],
    )
    fake.fail("chat.postMessage", status=500)

    assert retrying.chat_postMessage(channel="C1", text="x")["ok"] is True
    assert [c.failed for c in fake.calls_to("chat.postMessage")] == [True, False]


def test_rate_limit_answers_429_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", status=429, retry_after=7)

    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel="C1", text="x")

    assert error.value.response.status_code == 429
    assert error.value.response.headers["Retry-After"] == "7"
    assert error.value.response["error"] == "ratelimited"


def test_ok_false_error_answers_http_200(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("chat.postMessage", error="channel_not_found", times=2)

    for _ in range(2):
        with pytest.raises(SlackApiError) as error:
            client.chat_postMessage(channel="C1", text="x")
        assert error.value.response.status_code == 200
        assert error.value.response.data == {"ok": False, "error": "channel_not_found"}
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True


def test_times_minus_one_fails_until_healed(fake: FakeSlack, client: WebClient) -> None:
    fake.fail("users.info", error="fatal_error", times=-1)

    for _ in range(3):
        with pytest.raises(SlackApiError):
            client.users_info(user="U0CRBOT")
    fake.heal("users.info")

    assert client.users_info(user="U0CRBOT")["user"]["is_bot"] is True
    assert fake.delivered("users.info") == fake.calls_to("users.info")[3:]


def test_delay_makes_the_client_time_out(fake: FakeSlack) -> None:
    impatient = WebClient(token="xoxb-test", base_url=fake.url, timeout=0.2, retry_handlers=[])
    fake.fail("chat.postMessage", delay=0.6)

    with pytest.raises((TimeoutError, URLError)):
        impatient.chat_postMessage(channel="C1", text="slow")

    # Slack did the work even though the client gave up.
    [call] = fake.calls_to("chat.postMessage")
    assert call.failed is False
    assert [m["text"] for m in fake.messages("C1")] == ["slow"]


def test_wait_for_blocks_until_the_call_arrives(fake: FakeSlack, client: WebClient) -> None:
    later = threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="late"))
    later.start()

    [call] = fake.wait_for("chat.postMessage", timeout=2)

    assert call.params["text"] == "late"
    with pytest.raises(AssertionError, match=r"chat\.update.*chat\.postMessage"):
        fake.wait_for("chat.update", timeout=0.05)


# ---- payload builders


def test_signature_matches_slacks_documented_example() -> None:
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com"
        "%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )

    headers = p.sign(body, secret="8f742231b10e8888abcd99yyyzzz85a5", timestamp=1531420618)

    assert headers["X-Slack-Signature"] == (
        "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )
    assert [k for k, _ in parse_qsl(body, keep_blank_values=True)] == DOCS_SLASH_COMMAND_KEYS


@pytest.mark.parametrize(
    "body",
    [
        p.slash_command(user_id="U1", text="hi"),
        p.view_submission(callback_id="cb", user_id="U1", values={}),
        p.block_actions(action_id="a", value="v", user_id="U1"),
        p.event_callback(p.app_home_opened(user_id="U1")),
        p.url_verification("c"),
    ],
)
def test_signed_bodies_verify(body: str) -> None:
    headers = p.sign(body)

    assert SignatureVerifier(p.SIGNING_SECRET).is_valid_request(body, headers)
    assert not SignatureVerifier("another-secret").is_valid_request(body, headers)
    expected = "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
    assert headers["Content-Type"] == expected


def test_slash_command_has_the_fields_of_a_real_one() -> None:
    grid = p.slash_command(user_id="U1", text="a b", enterprise_id="E1")
    plain = dict(parse_qsl(p.slash_command(user_id="U1", text="a b"), keep_blank_values=True))

    assert [k for k, _ in parse_qsl(grid, keep_blank_values=True)] == BOLT_SLASH_COMMAND_KEYS
    assert list(plain) == DOCS_SLASH_COMMAND_KEYS
    assert (plain["command"], plain["text"], plain["user_id"]) == ("/cr-request", "a b", "U1")
    assert plain["channel_name"] == "directmessage"


def test_state_value_helpers_match_real_state_values() -> None:
    stars = {"type": "plain_text", "text": ":star::star::star:", "emoji": True}

    assert p.select_value("3", ":star::star::star:") == {
        "type": "static_select",
        "selected_option": {"text": stars, "value": "3"},
    }
    assert p.date_value("2019-09-23") == {"type": "datepicker", "selected_date": "2019-09-23"}
    assert p.text_value("Just amazing!") == {"type": "plain_text_input", "value": "Just amazing!"}
    assert p.users_value(["U123", "U234"]) == {
        "type": "multi_users_select",
        "selected_users": ["U123", "U234"],
    }
    assert p.user_value("U123") == {"type": "users_select", "selected_user": "U123"}
    assert p.multi_select_values(["value-0"]) == {
        "type": "multi_static_select",
        "selected_options": [
            {"text": {"type": "plain_text", "text": "value-0", "emoji": True}, "value": "value-0"}
        ],
    }
    assert p.radio_value("option 1")["selected_option"]["value"] == "option 1"
    assert p.number_value(3) == {"type": "number_input", "value": "3"}


def _payload(body: str) -> dict[str, Any]:
    [(key, value)] = parse_qsl(body)
    assert key == "payload"
    return json.loads(value)


def test_interaction_payloads_have_the_real_keys() -> None:
    values = {"rating": {"pick": p.select_value("3")}, "when": {"day": p.date_value("2026-12-01")}}
    submission = _payload(
        p.view_submission(callback_id="cb", user_id="U1", values=values, private_metadata="42")
    )
    in_message = _payload(p.block_actions(action_id="a", value="v", user_id="U1"))
    in_view = _payload(
        p.block_actions(action_id="a", value="v", user_id="U1", container_type="view")
    )

    assert submission.keys() >= VIEW_SUBMISSION_KEYS
    assert submission["view"].keys() >= VIEW_KEYS
    assert submission["view"]["state"]["values"] == values
    assert submission["view"]["private_metadata"] == "42"
    assert [b["block_id"] for b in submission["view"]["blocks"]] == ["rating", "when"]
    assert in_message.keys() >= BLOCK_ACTIONS_MESSAGE_KEYS
    assert in_message["container"] == {
        "type": "message",
        "message_ts": "1700000000.000100",
        "channel_id": "D0CHAN",
        "is_ephemeral": False,
    }
    assert in_message["actions"][0]["value"] == "v"
    assert in_view.keys() == BLOCK_ACTIONS_VIEW_KEYS
    assert in_view["container"] == {"type": "view", "view_id": "V0VIEW"}


def test_event_callback_has_the_real_keys() -> None:
    body = json.loads(p.event_callback(p.app_home_opened(user_id="U1"), event_id="Ev1"))

    assert body.keys() == EVENT_CALLBACK_KEYS
    assert (body["type"], body["event_id"]) == ("event_callback", "Ev1")
    assert body["event"]["type"] == "app_home_opened"
    assert body["event"]["tab"] == "home"


# ---- the rig against a real Bolt app over HTTP


class _QuietWSGIHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bolt_http(fake: FakeSlack) -> Iterator[tuple[App, p.SlackHTTP]]:
    app = App(
        signing_secret=p.SIGNING_SECRET,
        client=WebClient(token="xoxb-test", base_url=fake.url),
        process_before_response=True,
    )
    server = make_server("127.0.0.1", 0, SlackRequestHandler(app), handler_class=_QuietWSGIHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield app, p.SlackHTTP(f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    server.server_close()


def test_bolt_accepts_the_signed_requests(
    fake: FakeSlack, bolt_http: tuple[App, p.SlackHTTP]
) -> None:
    app, http = bolt_http
    seen: dict[str, Any] = {}

    @app.command("/cr-request")
    def on_command(ack: Any, command: dict[str, Any], client: WebClient) -> None:
        ack()
        client.chat_postMessage(channel=command["user_id"], text=f"got {command['text']}")

    @app.view("cr_form")
    def on_submit(ack: Any, view: dict[str, Any]) -> None:
        ack(
            response_action="errors",
            errors={"when": view["state"]["values"]["when"]["day"]["type"]},
        )

    @app.action("approve")
    def on_click(ack: Any, body: dict[str, Any]) -> None:
        ack()
        seen["clicked"] = body["actions"][0]["value"]

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any]) -> None:
        seen["home"] = event["user"]

    assert http.command(user_id="U1", text="hello") == (200, "")
    assert http.submit(
        callback_id="cr_form", user_id="U1", values={"when": {"day": p.date_value("2026-12-01")}}
    ) == (200, {"response_action": "errors", "errors": {"when": "datepicker"}})
    assert http.click(action_id="approve", value="r-1", user_id="U1") == (200, "")
    assert http.event(p.app_home_opened(user_id="U1")) == (200, "")
    assert http.signed(p.url_verification("xyz")) == (200, {"challenge": "xyz"})
    body = p.slash_command(user_id="U1")
    assert http.post(body, p.sign(body, secret="wrong"))[0] == 401

    assert seen == {"clicked": "r-1", "home": "U1"}
    [posted] = fake.delivered("chat.postMessage")
    assert posted.params["text"] == "got hello"
    assert posted.response["channel"].startswith("D")


# ---- Socket Mode


def test_builtin_socket_mode_client_round_trip(fake: FakeSlack) -> None:
    with FakeSocketModeServer() as server:
        fake.socket_mode_url = server.url
        queued = p.envelope_slash_command(p.slash_command_fields(user_id="U1", text="early"))
        server.send(queued)  # sent before anyone connects: delivered after hello
        client = SocketModeClient(app_token="xapp-test", web_client=WebClient(base_url=fake.url))
        received: list[dict[str, Any]] = []
        client.message_listeners.append(lambda _c, message, _raw: received.append(message))

        def ack(socket_client: Any, request: SocketModeRequest) -> None:
            text = request.payload["text"]
            response = SocketModeResponse(request.envelope_id, payload={"text": f"ack {text}"})
            socket_client.send_socket_mode_response(response)

        client.socket_mode_request_listeners.append(ack)
        try:
            client.connect()
            server.wait_connected()
            live = p.envelope_slash_command(p.slash_command_fields(user_id="U1", text="live"))
            server.send(live)
            first = server.wait_for_ack(queued["envelope_id"])
            second = server.wait_for_ack(live["envelope_id"])
            deadline = time.monotonic() + 2
            while client.current_session.last_ping_pong_time is None:  # pong handled async
                assert time.monotonic() < deadline, "client never got a pong"
                time.sleep(0.01)
        finally:
            close_socket_mode_client(client, server)

    assert first == {"envelope_id": queued["envelope_id"], "payload": {"text": "ack early"}}
    assert second == {"envelope_id": live["envelope_id"], "payload": {"text": "ack live"}}
    hello = next(m for m in received if m.get("type") == "hello")
    assert hello["connection_info"] == {"app_id": "A0CRBOT"}
    assert fake.calls_to("apps.connections.open")[0].token == "xapp-test"


def test_bolt_socket_mode_handler_acks_through_the_stand_in(fake: FakeSlack) -> None:
    app = App(client=WebClient(token="xoxb-test", base_url=fake.url))

    @app.command("/cr-request")
    def on_command(ack: Any, command: dict[str, Any]) -> None:
        ack(f"on it: {command['text']}")

    @app.view("cr_form")
    def on_submit(ack: Any) -> None:
        ack(response_action="clear")

    with FakeSocketModeServer() as server:
        fake.socket_mode_url = server.url
        handler = SocketModeHandler(
            app, app_token="xapp-test", web_client=WebClient(base_url=fake.url)
        )
        try:
            handler.connect()
            command = server.send(
                p.envelope_slash_command(p.slash_command_fields(user_id="U1", text="x"))
            )
            submission = server.send(
                p.envelope_interactive(
                    p.view_submission_payload(callback_id="cr_form", user_id="U1", values={})
                )
            )
            command_ack = server.wait_for_ack(str(command))
            submission_ack = server.wait_for_ack(str(submission))
        finally:
            close_socket_mode_client(handler.client, server)

    assert command_ack["payload"] == {"text": "on it: x"}
    assert submission_ack["payload"] == {"response_action": "clear"}
