"""LOG_LEVEL reaches the loggers that slack_sdk and Bolt test by their own level before they
build a debug line: at INFO no call's payload is formatted for a line nobody keeps; at DEBUG
the lines come as before."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.entry.startup import LEVEL_TESTED, configure_logging


@pytest.fixture
def levels() -> Iterator[None]:
    root = logging.getLogger()
    kept = {name: logging.getLogger(name).level for name in LEVEL_TESTED}
    root_level, handlers = root.level, list(root.handlers)
    yield
    for name, level in kept.items():
        logging.getLogger(name).setLevel(level)
    root.setLevel(root_level)
    root.handlers[:] = handlers


class Formatted(dict):
    """A payload that counts how often it is turned into text."""

    shown = 0

    def __repr__(self) -> str:
        Formatted.shown += 1
        return super().__repr__()


def test_at_info_no_call_formats_its_payload_for_a_debug_line(levels, fake_slack):
    configure_logging({"LOG_LEVEL": "INFO"})
    assert all(logging.getLogger(n).level == logging.INFO for n in LEVEL_TESTED)
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    Formatted.shown = 0
    client.api_call("chat.postMessage", json=Formatted(channel="U0REQ1", text="Hallo"))
    assert Formatted.shown == 0
    assert fake_slack.delivered("chat.postMessage")[-1].params["text"] == "Hallo"


def test_at_debug_the_calls_are_logged_as_before(levels, fake_slack, caplog):
    configure_logging({"LOG_LEVEL": "debug"})
    assert all(logging.getLogger(n).level == logging.DEBUG for n in LEVEL_TESTED)
    client = WebClient(token="xoxb-test", base_url=fake_slack.url)
    with caplog.at_level(logging.DEBUG, logger="slack_sdk.web.base_client"):
        client.api_call("chat.postMessage", json={"channel": "U0REQ1", "text": "Hallo"})
    assert any(
        "Sending a request" in r.getMessage() and "Hallo" in r.getMessage() for r in caplog.records
    )
