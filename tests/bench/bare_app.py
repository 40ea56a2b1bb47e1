"""The yardstick: a minimal Bolt app that acks `/cr-request` and opens a static modal.

No database, no directory, no prefill: what Slack's framework itself costs. Served the
same way as the bot: `gunicorn 'tests.bench.bare_app:create()'`, with the bot's env.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

MODAL = {
    "type": "modal",
    "callback_id": "bare_modal",
    "title": {"type": "plain_text", "text": "Bare Bolt"},
    "close": {"type": "plain_text", "text": "Close"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello from bare Bolt."}}],
}


def create() -> Callable[..., Iterable[bytes]]:
    client = WebClient(
        token=os.environ["SLACK_BOT_TOKEN"],
        base_url=os.environ.get("SLACK_API_URL") or "https://slack.com/api/",
        timeout=10,
    )
    app = App(
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=False,  # as the bot runs in production
    )

    @app.command("/cr-request")
    def command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        ack()
        if command.get("text"):  # `/cr-request help`, the cold-start probe: ack only
            return
        client.views_open(trigger_id=command["trigger_id"], view=MODAL)

    handler: Callable[..., Iterable[bytes]] = SlackRequestHandler(app, path="/slack/events")
    return handler
