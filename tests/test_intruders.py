"""Intruders over HTTP: bad signatures, other workspaces, buttons naming another request
than their message, and tokens or secrets in the logs.

Every refusal is checked for its effect: no Slack call, nothing stored, nothing changed;
and every attack is followed by the genuine request, which works, so the refusal was the
safeguard's doing and not a broken payload.
"""

from __future__ import annotations

import logging
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.entry.scheduler import digest_job, reflect_job, remind_job
from bot.entry.startup import LEVEL_TESTED
from bot.slack import ids
from models import AuditEntry, ExchangeRequest, OutboxMessage
from tests import payloads as p
from tests.conftest import Clock, running_bot
from tests.flows import buttons, click, dms_to, form_values, last_dm, replies, submit_request

OTHER_TEAM = "T0OTHER"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-1-A0CRBOT-0123456789-intruder-test-app-token"


def _state(bot: Any) -> tuple[Any, ...]:
    """Everything an accepted request could change."""
    with bot.session_factory() as s:
        requests = s.exec(select(ExchangeRequest).order_by(ExchangeRequest.id)).all()
        audit = s.exec(select(func.count()).select_from(AuditEntry)).one()
        outbox = s.exec(select(func.count()).select_from(OutboxMessage)).one()
        return tuple((r.id, r.status, r.version) for r in requests), audit, outbox


# ---- signatures -------------------------------------------------------------------------


def _headers_without(*names: str) -> Callable[[str], dict[str, str]]:
    def headers(body: str) -> dict[str, str]:
        signed = p.sign(body)
        for name in names:
            del signed[name]
        return signed

    return headers


def _with_timestamp(value: str) -> Callable[[str], dict[str, str]]:
    """Signed correctly over a timestamp Slack never sends."""

    def headers(body: str) -> dict[str, str]:
        signed = p.sign(body)
        from slack_sdk.signature import SignatureVerifier

        signature = SignatureVerifier(p.SIGNING_SECRET).generate_signature(
            timestamp=value, body=body
        )
        return {**signed, "X-Slack-Request-Timestamp": value, "X-Slack-Signature": str(signature)}

    return headers


def _tampered(body: str) -> dict[str, str]:
    """Signed for another body (the user id changed after signing)."""
    return p.sign(body.replace("U0", "U9", 1))


ATTACKS: dict[str, Callable[[str], dict[str, str]]] = {
    "forged with another secret": lambda body: p.sign(body, secret="not-our-signing-secret"),
    "no signature headers": _headers_without("X-Slack-Signature", "X-Slack-Request-Timestamp"),
    "no signature": _headers_without("X-Slack-Signature"),
    "no timestamp": _headers_without("X-Slack-Request-Timestamp"),
    "old timestamp (6 minutes)": lambda body: p.sign(body, timestamp=int(time.time()) - 360),
    "future timestamp (+6 minutes)": lambda body: p.sign(body, timestamp=int(time.time()) + 360),
    "body changed after signing": _tampered,
    "empty signature": lambda body: {**p.sign(body), "X-Slack-Signature": ""},
    "v1 signature": lambda body: {
        **p.sign(body),
        "X-Slack-Signature": p.sign(body)["X-Slack-Signature"].replace("v0=", "v1="),
    },
    "timestamp not a number": _with_timestamp("abc"),
    "timestamp with a fraction": _with_timestamp(f"{time.time():.3f}"),
    "timestamp in exponent form": _with_timestamp("1.8e9"),
    "empty timestamp": _with_timestamp(""),
}


def _genuine_bodies(bot: Any) -> dict[str, str]:
    """A new-request command, a request submission and an approve click, ready to sign."""
    decision = last_dm(bot, "U0LEI1")
    return {
        "command": p.slash_command(
            user_id="U0REQ2", text="", response_url=bot.slack.response_url("cmd")
        ),
        "submission": p.view_submission(
            callback_id=ids.VIEW_REQUEST,
            user_id="U0REQ1",
            values=form_values(),
            view_id="VINTRUDER",
            private_metadata='{"lang":"de"}',
        ),
        "click": p.block_actions(
            action_id=ids.A_APPROVE,
            value="1:1",
            user_id="U0LEI1",
            channel_id=decision.response["channel"],
            message_ts=decision.response["ts"],
            response_url=bot.slack.response_url("click"),
        ),
    }


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_badly_signed_requests_are_refused_and_change_nothing(bot, attack):
    submit_request(bot, "U0REQ1", view_id="VFIRST")
    bodies = _genuine_bodies(bot)
    before = _state(bot)
    bot.slack.clear()
    for kind, body in bodies.items():
        status, text, _ = bot.http.post(body, ATTACKS[attack](body))
        assert status == 401, (kind, status, text)
    assert bot.slack.calls == []  # no views.open, no DM, not even to a response_url
    assert _state(bot) == before
    # The same requests, signed as Slack signs them (4 minutes ago is still fresh), work.
    for kind, body in bodies.items():
        status, text, _ = bot.http.post(body, p.sign(body, timestamp=int(time.time()) - 240))
        assert status == 200, (kind, status, text)
    assert [c.method for c in bot.slack.calls_to("views.open")] == ["views.open"]
    (requests, *_rest) = _state(bot)
    assert requests == ((1, "approved", 2), (2, "submitted", 1))


def test_unsigned_malformed_bodies_and_other_paths_do_nothing(bot):
    for body in ("payload=%7B", "", "x" * 10_000):
        status, _, _ = bot.http.post(body, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status in (400, 401)
    request = urllib.request.Request(
        bot.url + "/slack/events", data=b"\xff\xfe\x00payload", method="POST"
    )
    try:
        urllib.request.urlopen(request, timeout=5)
        raise AssertionError("a body that is not UTF-8 was accepted")
    except urllib.error.HTTPError as error:
        assert error.code in (400, 401)
    assert bot.slack.calls == []


# ---- other workspaces -------------------------------------------------------------------


def _as_team(bot: Any, team: str, decision: Any) -> dict[str, str]:
    return {
        "command": p.slash_command(
            user_id="U0REQ2", team_id=team, response_url=bot.slack.response_url("cmd")
        ),
        "submission": p.view_submission(
            callback_id=ids.VIEW_REQUEST,
            user_id="U0REQ1",
            values=form_values(),
            view_id=f"V{team}",
            private_metadata='{"lang":"de"}',
            team_id=team,
        ),
        "click": p.block_actions(
            action_id=ids.A_APPROVE,
            value="1:1",
            user_id="U0LEI1",
            channel_id=decision.response["channel"],
            message_ts=decision.response["ts"],
            response_url=bot.slack.response_url("click"),
            team_id=team,
        ),
        "home opened": p.event_callback(p.app_home_opened(user_id="U0REQ1"), team_id=team),
    }


def test_correctly_signed_payloads_from_another_workspace_are_refused(bot):
    submit_request(bot, "U0REQ1", view_id="VFIRST")
    decision = last_dm(bot, "U0LEI1")
    before = _state(bot)
    bot.slack.clear()
    for kind, body in _as_team(bot, OTHER_TEAM, decision).items():
        status, text = bot.http.signed(body)
        assert status == 401, (kind, status, text)
    assert bot.slack.calls == []
    assert _state(bot) == before
    # From our own workspace the same payloads act.
    for kind, body in _as_team(bot, p.TEAM_ID, decision).items():
        status, text = bot.http.signed(body)
        assert status == 200, (kind, status, text)
    assert {"views.open", "views.publish"} <= set(bot.slack.methods())
    requests, *_ = _state(bot)
    assert requests == ((1, "approved", 2), (2, "submitted", 1))


# ---- buttons naming another request -----------------------------------------------------


def test_a_button_naming_another_request_than_its_message_is_refused(bot):
    submit_request(bot, "U0REQ1", view_id="VONE")  # request 1, Leipzig
    submit_request(bot, "U0OUT1", view_id="VTWO")  # request 2, Leipzig too
    first = dms_to(bot, "U0LEI1")[0]  # U0LEI1's decision message of request 1
    second = dms_to(bot, "U0LEI1")[1]
    assert buttons(first.params["blocks"])[ids.A_APPROVE] == "1:1"
    assert buttons(second.params["blocks"])[ids.A_APPROVE] == "2:1"
    confirmation = last_dm(bot, "U0REQ1")
    before = _state(bot)
    bot.slack.clear()

    # U0LEI1 may decide request 2, but not through request 1's message.
    click(bot, "U0LEI1", first, ids.A_APPROVE, name="swap", value="2:1")
    click(bot, "U0LEI1", first, ids.A_DECLINE, name="swap", value="2:1")
    click(bot, "U0OUT1", confirmation, ids.A_CANCEL, name="swap", value="2:1")
    # Nor through a message we never posted.
    for action in (ids.A_APPROVE, ids.A_CANCEL):
        bot.http.click(
            action_id=action,
            value="2:1",
            user_id="U0LEI1" if action == ids.A_APPROVE else "U0OUT1",
            channel_id=first.response["channel"],
            message_ts="1700000000.999999",
            response_url=bot.slack.response_url("never"),
        )
    assert _state(bot) == before
    assert len(replies(bot, "swap")) == 2 and len(replies(bot, "never")) == 2
    assert all("#2 gibt es nicht" in text for text in replies(bot, "swap") + replies(bot, "never"))
    # The decline modal opened first (its trigger dies in 3 s) and then said no.
    [opened] = bot.slack.delivered("views.open")
    [refusal] = bot.slack.delivered("views.update")
    assert refusal.params["view_id"] == opened.response["view"]["id"]
    assert refusal.params["view"]["callback_id"] == "cr_notice"
    assert not [c for c in bot.slack.calls if c.method in ("chat.postMessage", "chat.update")]

    # Through its own message, the same click decides request 2.
    click(bot, "U0LEI1", second, ids.A_APPROVE, name="own")
    assert replies(bot, "own") == []
    requests, *_ = _state(bot)
    assert requests == ((1, "submitted", 1), (2, "approved", 2))


# ---- secrets in logs --------------------------------------------------------------------


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# With the loggers the entry points give a level of their own (LEVEL_TESTED): a command run
# in this process before (`configure_logging`) leaves them at INFO.
LOGGERS = (
    "",
    "slack_sdk",
    "slack_bolt",
    "urllib3",
    "bot",
    "sqlalchemy.engine",
    "alembic",
    *LEVEL_TESTED,
)


@contextmanager
def all_logs() -> Iterator[list[logging.LogRecord]]:
    """Every record of every logger at DEBUG, formatted as a handler would format it."""
    handler = _Everything()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    levels = {name: logging.getLogger(name).level for name in LOGGERS}
    root = logging.getLogger()
    root.addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _secrets_in(records: list[logging.LogRecord], secrets: tuple[str, ...]) -> list[str]:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    leaks = []
    for record in records:
        text = formatter.format(record) + (record.exc_text or "")
        leaks += [f"{record.name}: {text[:300]}" for s in secrets if s in text]
    return leaks


def test_no_token_or_secret_in_any_log_line_during_a_whole_flow(
    fake_slack, database_url, directory_file, monkeypatch
):
    clock = Clock()
    with (
        all_logs() as records,
        running_bot(
            fake_slack, database_url, directory_file, clock, CR_DIGEST_CHANNEL="C0DIGEST"
        ) as bot,
    ):
        # Filing, deciding, naming experts.
        bot.http.command(user_id="U0REQ1", response_url=bot.slack.response_url("c"))
        submit_request(bot, "U0REQ1")
        click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
        click(bot, "U0BRE3", last_dm(bot, "U0BRE3"), ids.A_NAME_EXPERTS)
        opened = bot.slack.delivered("views.open")[-1].response["view"]
        bot.http.submit(
            callback_id=opened["callback_id"],
            user_id="U0BRE3",
            values={ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP1"])}},
            view_id=opened["id"],
            private_metadata=opened["private_metadata"],
        )
        # A request waiting for a decision, and the jobs a week later.
        submit_request(bot, "U0REQ2", view_id="VSECOND", **_bremen_request())
        clock.advance(days=14)
        digest_job(bot.services, force=True)
        remind_job(bot.services)
        reflect_job(bot.services)
        # Refusals: a forged signature, another workspace, a stale click.
        body = p.slash_command(user_id="U0REQ1", text="help")
        bot.http.post(body, p.sign(body, secret="wrong"))
        bot.http.signed(p.slash_command(user_id="U0REQ1", team_id=OTHER_TEAM))
        click(bot, "U0LEI1", dms_to(bot, "U0LEI1")[0], ids.A_APPROVE)
        # Slack refusing for good (the approval's messages), and Slack down (the modals).
        bot.slack.fail("chat.postMessage", error="channel_not_found", times=-1)
        click(bot, "U0BRE1", last_dm(bot, "U0BRE1"), ids.A_APPROVE)
        bot.slack.fail("views.open", status=500, times=2)
        bot.http.command(user_id="U0REQ1", response_url=bot.slack.response_url("c"))
        click(bot, "U0BRE1", last_dm(bot, "U0BRE1"), ids.A_DECLINE)
        # An unexpected exception inside a listener.
        from bot.usecases import filing

        def broken(*_args: Any, **_kwargs: Any) -> Any:
            raise RuntimeError("the database said something odd")

        monkeypatch.setattr(filing, "my_requests", broken)
        bot.http.command(user_id="U0REQ1", text="list", response_url=bot.slack.response_url("l"))
        bot.slack.heal()

    # (Slack's legacy verification token does appear: Bolt logs incoming bodies at DEBUG.
    # The bot never uses it; requests are checked by signature.)
    assert _secrets_in(records, (BOT_TOKEN, p.SIGNING_SECRET)) == []
    # The capture saw the whole flow: Web API calls, Bolt, our own warnings and errors.
    names = {r.name for r in records}
    assert {"slack_sdk.web.base_client", "bot.bolt"} <= names
    messages = "\n".join(r.getMessage() for r in records)
    assert "Sending a request - url:" in messages and "(redacted)" in messages
    assert "unexpected error during slash_command" in messages
    assert any(r.exc_text and "RuntimeError" in r.exc_text for r in records)
    assert "channel_not_found" in messages
    # The fake did receive the token, so it was there to leak.
    assert {c.token for c in fake_slack.calls if c.method == "chat.postMessage"} == {BOT_TOKEN}


def _bremen_request() -> dict[str, Any]:
    return {
        ids.B_OWN_CITY: p.select_value("bremen"),
        ids.B_PARTNERS: p.multi_select_values(["leipzig"]),
        # After the jobs' run two weeks on: still waiting for a decision, not lapsed.
        ids.B_DATE_FROM: p.date_value(date(2027, 1, 11).isoformat()),
        ids.B_DATE_TO: p.date_value(date(2027, 1, 12).isoformat()),
    }


def test_no_app_token_in_any_log_line_in_socket_mode(fake_slack, database_url, directory_file):
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.entry.runtime import build
    from bot.infra.settings import Settings
    from tests.fakeslack import FakeSocketModeServer, close_socket_mode_client

    fake_slack.set_user("U0REQ1", email="anna.schmidt@leipzig.de")
    with all_logs() as records, FakeSocketModeServer() as server:
        fake_slack.socket_mode_url = server.url
        settings = Settings.from_env(
            {
                "SLACK_APP_TOKEN": APP_TOKEN,
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_API_URL": fake_slack.url,
                "DATABASE_URL": database_url,
                "CR_DIRECTORY": str(directory_file),
            }
        )
        runtime = build(settings)
        handler = SocketModeHandler(runtime.app, app_token=settings.app_token)
        try:
            handler.connect()
            server.wait_connected()
            fields = p.slash_command_fields(user_id="U0REQ1", text="help")
            envelope = p.envelope_slash_command(fields)
            server.wait_for_ack(str(server.send(envelope)))
            fields = p.slash_command_fields(user_id="U0REQ1")
            server.wait_for_ack(str(server.send(p.envelope_slash_command(fields))))
            fake_slack.wait_for("views.open")
        finally:
            close_socket_mode_client(handler.client, server)
            runtime.stop()

    assert [c.token for c in fake_slack.calls_to("apps.connections.open")][:1] == [APP_TOKEN]
    assert _secrets_in(records, (APP_TOKEN, BOT_TOKEN)) == []
    messages = "\n".join(r.getMessage() for r in records)
    assert "apps.connections.open" in messages and "on_message invoked" in messages
