"""The HTTP entry under hostile or odd input: authentication first, size limits, and a 4xx
(never a 500) for any signed payload that is not what Slack sends."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from bot.entry.http import MAX_BODY, wsgi_app
from bot.slack import ids
from tests import payloads as p

FORGED_SECRET = "not-our-signing-secret"


def _forged(body: str) -> dict[str, str]:
    return p.sign(body, secret=FORGED_SECRET)


# ---- authentication before anything else -------------------------------------------------

NOT_PARSEABLE = ("payload=%7B", "payload=null", "{not json", "payload=%5B%5D")
BAD_SHAPE = (
    p.form_body({"type": "view_submission", "view": "a string", "user": {"id": "U0REQ1"}}),
    p.form_body({"type": "block_actions", "actions": "x", "user": {"id": "U0REQ1"}}),
    json.dumps({"type": "event_callback", "event": []}),
)


@pytest.mark.parametrize("body", NOT_PARSEABLE + BAD_SHAPE)
def test_forged_requests_get_401_whatever_their_body(bot, body):
    status, _, _ = bot.http.post(body, _forged(body))

    assert status == 401
    assert bot.slack.calls == []


@pytest.mark.parametrize("body", NOT_PARSEABLE + BAD_SHAPE)
def test_signed_but_malformed_requests_get_400(bot, body):
    status, _, _ = bot.http.post(body, p.sign(body))

    assert status == 400
    assert bot.slack.calls == []


class _Untouchable(io.RawIOBase):
    """A request body that fails the test if anyone reads it."""

    def read(self, *_args: Any) -> bytes:
        raise AssertionError("the body was read")

    readline = readlines = read


class _Endless(io.RawIOBase):
    """A body with no Content-Length that never ends; counts what was read."""

    def __init__(self) -> None:
        self.taken = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            raise AssertionError("read the whole body")
        self.taken += size
        return b"x" * size


def _call(bot: Any, body: Any, **environ: str) -> tuple[str, bytes]:
    seen: list[str] = []
    env = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "wsgi.input": body,
        **environ,
    }
    answer = b"".join(wsgi_app(bot.runtime)(env, lambda status, _headers: seen.append(status)))
    return seen[0], answer


def test_a_64_mb_body_gets_413_without_being_read(bot):
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in p.sign("x").items()}
    status, _ = _call(bot, _Untouchable(), CONTENT_LENGTH=str(64 * 1024 * 1024), **headers)

    assert status.startswith("413")
    assert bot.slack.calls == []


def test_a_body_without_length_is_read_no_further_than_the_limit(bot):
    body = _Endless()
    status, _ = _call(bot, body)

    assert status.startswith("413")
    assert body.taken <= MAX_BODY + 1


def test_a_64_mb_body_over_http_gets_413(bot):
    import socket

    with socket.create_connection(("127.0.0.1", int(bot.url.rsplit(":", 1)[1])), timeout=5) as s:
        s.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n{" % (64 * 1024 * 1024)
        )
        answer = s.recv(200)

    assert answer.split(b" ")[1] == b"413", answer
    assert bot.slack.calls == []


def test_a_signed_genuine_request_still_works(bot):
    status, _ = bot.http.command(user_id="U0REQ1", text="help")

    assert status == 200


# ---- signed, but not what Slack sends: a 4xx, never a 500 --------------------------------


def _click(**changes: Any) -> dict[str, Any]:
    payload = p.block_actions_payload(action_id=ids.A_APPROVE, value="1:1", user_id="U0LEI1")
    payload.update(changes)
    return payload


def _action(**changes: Any) -> dict[str, Any]:
    action = dict(_click()["actions"][0], **changes)
    return _click(actions=[{k: v for k, v in action.items() if v is not None}])


def _submission(**view_changes: Any) -> dict[str, Any]:
    payload = p.view_submission_payload(
        callback_id=ids.VIEW_REQUEST, user_id="U0REQ1", values={}, view_id="VODD"
    )
    view = {k: v for k, v in dict(payload["view"], **view_changes).items() if v is not None}
    return dict(payload, view=view)


def _event(event: Any, **changes: Any) -> str:
    body = p.event_callback_payload({"type": "app_home_opened", "user": "U0REQ1"})
    body.update(event=event, **changes)
    return json.dumps(body)


ODD_PAYLOADS: dict[str, str] = {
    "block_actions with no actions": p.form_body(_click(actions=[])),
    "block_actions without actions": p.form_body(
        {k: v for k, v in _click().items() if k != "actions"}
    ),
    "an action without action_id": p.form_body(_action(action_id=None)),
    "an action_id that is a number": p.form_body(_action(action_id=7)),
    "an action that is a string": p.form_body(_click(actions=["approve"])),
    "an action with a block_id that is a list": p.form_body(_action(block_id=["b"])),
    "an action with a value that is a dict": p.form_body(_action(value={"a": 1})),
    "view_submission without callback_id": p.form_body(_submission(callback_id=None)),
    "view_submission with callback_id a number": p.form_body(_submission(callback_id=3)),
    "view_submission without view": p.form_body(
        {k: v for k, v in _submission().items() if k != "view"}
    ),
    "view_closed without callback_id": p.form_body(
        dict(_submission(callback_id=None), type="view_closed")
    ),
    "view with state.values a list": p.form_body(_submission(state={"values": []})),
    "shortcut without callback_id": p.form_body(
        {"type": "shortcut", "user": {"id": "U0REQ1"}, "trigger_id": "1.2.3", "team": {}}
    ),
    "message_action without callback_id": p.form_body(
        {"type": "message_action", "user": {"id": "U0REQ1"}, "trigger_id": "1.2.3"}
    ),
    "block_suggestion without action_id": p.form_body(
        {"type": "block_suggestion", "user": {"id": "U0REQ1"}, "value": "x"}
    ),
    "an interaction without type": p.form_body({"user": {"id": "U0REQ1"}, "actions": []}),
    "an interaction with type a list": p.form_body({"type": ["block_actions"]}),
    "event_callback without event": json.dumps(
        {
            k: v
            for k, v in p.event_callback_payload({"type": "app_home_opened"}).items()
            if k != "event"
        }
    ),
    "event_callback without event.type": _event({"user": "U0REQ1"}),
    "event_callback with event.type a number": _event({"type": 5, "user": "U0REQ1"}),
    "event_callback with event a string": _event("app_home_opened"),
    "event with user a dict": _event({"type": "app_home_opened", "user": {"id": "U0REQ1"}}),
    "event with channel a list": _event({"type": "message", "channel": [], "text": "x"}),
    "event_callback with authorizations a dict": _event(
        {"type": "app_home_opened", "user": "U0REQ1"}, authorizations={"team_id": "T"}
    ),
    "event_callback with team_id a number": _event(
        {"type": "app_home_opened", "user": "U0REQ1"}, team_id=5
    ),
    "url_verification without challenge": json.dumps({"type": "url_verification"}),
    "url_verification with challenge a dict": json.dumps(
        {"type": "url_verification", "challenge": {"a": 1}}
    ),
    "a JSON body of an unknown type": json.dumps({"type": "something_else"}),
    "a JSON number": "5",
    "a command that is a list": "command=%2Fcr-request&command=x&user_id=U0REQ1&trigger_id=1",
    "a command with no text": "command=%2Fcr-request&user_id=U0REQ1&trigger_id=1.2.3",
    "a command with channel_id empty": (
        "command=%2Fcr-request&user_id=U0REQ1&trigger_id=1.2.3&text=&channel_id="
    ),
    "payload and command at once": p.form_body(_click()) + "&command=%2Fcr-request",
    "a user id with spaces": p.form_body(_click(user={"id": "U0 LEI1"})),
    "a team that is a string": p.form_body(_click(team="T0CRBOT")),
    "an enterprise that is a string": p.form_body(_click(enterprise="E0")),
    "a container that is a list": p.form_body(_click(container=[])),
    "a message that is a string": p.form_body(_click(message="hi")),
    "a channel that is a string": p.form_body(_click(channel="D0CHAN")),
    "a state that is a list": p.form_body(_click(state=[])),
    "an action type that is a number": p.form_body(_action(type=5)),
    "a user team_id that is a number": p.form_body(_click(user={"id": "U0LEI1", "team_id": 5})),
    "an enterprise id that is a number": p.form_body(_click(enterprise={"id": 5})),
    "is_enterprise_install a string": p.form_body(_click(is_enterprise_install="yes")),
    "api_app_id a number": p.form_body(_click(api_app_id=5)),
    "a container type that is a number": p.form_body(_click(container={"type": 5})),
    "a view type that is a list": p.form_body(_submission(type=[])),
    "a view hash that is a number": p.form_body(_submission(hash=5)),
    "authorizations a list of numbers": _event(
        {"type": "app_home_opened", "user": "U0REQ1"}, authorizations=[5]
    ),
    "an event tab that is a number": _event(
        {"type": "app_home_opened", "user": "U0REQ1", "tab": 5}
    ),
    "a message event with subtype a list": _event(
        {"type": "message", "subtype": [], "channel": "D0X", "user": "U0REQ1", "text": "x"}
    ),
    "a message event with text a dict": _event(
        {"type": "message", "channel": "D0X", "user": "U0REQ1", "text": {}}
    ),
    "an event view that is a string": _event(
        {"type": "app_home_opened", "user": "U0REQ1", "view": "v"}
    ),
}


@pytest.mark.parametrize("kind", list(ODD_PAYLOADS))
def test_signed_payloads_slack_never_sends_get_a_4xx_not_a_500(bot, kind):
    body = ODD_PAYLOADS[kind]
    status, text = bot.http.signed(body)

    assert status < 500, (kind, status, text)
