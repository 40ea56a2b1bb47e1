"""Issue #13, hardening: other workspaces and organisations stay out, a removed contact loses
their rights at once, and Slack's retries of an event have one effect."""

from __future__ import annotations

import json

import pytest

from bot.infra.directory_file import parse_directory
from bot.slack import ids
from bot.slack.listeners.guards import foreign
from bot.usecases.directory import sync_directory
from models import ExchangeRequest
from tests import payloads as p
from tests.conftest import DIRECTORY
from tests.flows import buttons, last_dm, replies, submit_request


def _click_from(bot, decision, *, team: str, enterprise: str | None) -> str:
    payload = p.block_actions_payload(
        action_id=ids.A_APPROVE,
        value=buttons(decision.params["blocks"])[ids.A_APPROVE],
        user_id="U0LEI1",
        channel_id=decision.response["channel"],
        message_ts=decision.response["ts"],
        response_url=bot.slack.response_url("x"),
        team_id=team,
    )
    if enterprise:
        payload["enterprise"] = {"id": enterprise, "name": "Other Org"}
        payload["is_enterprise_install"] = False
    return p.form_body(payload)


@pytest.mark.parametrize(
    ("team", "enterprise"),
    [("T0OTHER", "E0OTHER"), (p.TEAM_ID, "E0OTHER"), ("T0OTHER", None)],
    ids=["other workspace in an org", "our workspace id, another org", "other workspace"],
)
def test_a_signed_click_from_another_workspace_or_organisation_is_refused(bot, team, enterprise):
    submit_request(bot, "U0REQ1")
    decision = last_dm(bot, "U0LEI1")
    bot.slack.clear()

    status, _ = bot.http.signed(_click_from(bot, decision, team=team, enterprise=enterprise))

    assert status == 401
    assert bot.slack.calls == []
    with bot.session_factory() as session:
        assert session.get(ExchangeRequest, 1).status == "submitted"


@pytest.mark.parametrize(
    ("theirs", "is_foreign"),
    [
        (("T0CRBOT", None), False),
        (("T0CRBOT", "E0ORG"), True),
        (("T0OTHER", None), True),
        ((None, None), True),
    ],
)
def test_the_workspace_rule(theirs, is_foreign):
    assert foreign(("T0CRBOT", None), theirs) is is_foreign
    # An Enterprise Grid installation: the organisation must match too.
    assert foreign(("T0CRBOT", "E0ORG"), ("T0CRBOT", "E0ORG")) is False
    assert foreign(("T0CRBOT", "E0ORG"), ("T0CRBOT", "E0OTHER")) is True


def test_a_contact_removed_from_the_directory_cannot_approve_with_an_old_button(bot):
    submit_request(bot, "U0REQ1")
    old_message = last_dm(bot, "U0LEI2")
    # `cr-bot directory sync` with a file that no longer names U0LEI2.
    sync_directory(
        bot.session_factory,
        parse_directory(DIRECTORY.replace('"U0LEI1", "U0LEI2"', '"U0LEI1"')),
        now=bot.clock(),
    )

    status, _ = bot.http.click(
        action_id=ids.A_APPROVE,
        value=buttons(old_message.params["blocks"])[ids.A_APPROVE],
        user_id="U0LEI2",
        channel_id=old_message.response["channel"],
        message_ts=old_message.response["ts"],
        response_url=bot.slack.response_url("r"),
    )

    assert status == 200
    [said] = replies(bot)
    assert "Ansprechpartner/innen von Leipzig" in said
    with bot.session_factory() as session:
        assert session.get(ExchangeRequest, 1).status == "submitted"


def test_a_retried_event_delivery_publishes_the_home_tab_once(bot):
    body = p.event_callback(p.app_home_opened(user_id="U0REQ1"), event_id="Ev0RETRY1")

    first = bot.http.post(body, p.sign(body))
    retry = bot.http.post(
        body, {**p.sign(body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )

    assert (first[0], retry[0]) == (200, 200)
    assert len(bot.slack.calls_to("views.publish")) == 1
    # Another event (another event_id) is handled as usual.
    other = p.event_callback(p.app_home_opened(user_id="U0REQ1"), event_id="Ev0OTHER2")
    assert bot.http.post(other, p.sign(other))[0] == 200
    assert len(bot.slack.calls_to("views.publish")) == 2
    assert json.loads(body)["event_id"] == "Ev0RETRY1"
