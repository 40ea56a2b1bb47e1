"""Builds the Bolt app. No work at import time: everything comes in through `create_app`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest, BoltResponse, Respond
from slack_bolt.util.utils import convert_to_dict_list
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookResponse

from bot.infra.db import SessionFactory
from bot.infra.settings import Settings
from bot.infra.slack_http import PooledWebClient, webhook_client
from models.types import utcnow

if TYPE_CHECKING:  # imported by create_app once Slack has taken the token
    from bot.slack.listeners.runtime import Direct
    from bot.slack.services import Services

SLACK_API_URL = "https://slack.com/api/"
# Bolt's default is 5 threads; acks wait for a free one, so give it room.
LISTENER_THREADS = 32
# Connections kept open to Slack: every listener thread, the outbox's senders (4) and the
# people look-ups (4) may be in a call at once.
SLACK_CONNECTIONS = LISTENER_THREADS + 8


def make_client(settings: Settings, *, timeout: int = 10) -> WebClient:
    """A Web API client on SLACK_API_URL (GovSlack, or the fake in tests) whose calls share
    kept-open connections; slack_sdk's default retry handler (a connection that could not
    be made is tried once more) stays."""
    return PooledWebClient(
        token=settings.bot_token,
        base_url=settings.api_url or SLACK_API_URL,
        timeout=timeout,
        pool_size=SLACK_CONNECTIONS,
    )


def create_app(
    settings: Settings,
    *,
    session_factory: SessionFactory,
    client: WebClient | None = None,
    clock: Callable[[], datetime] = utcnow,
    process_before_response: bool = False,
) -> tuple[App, Services]:
    """The Bolt app with every listener registered, and the services behind it.

    The app is made first (Bolt calls auth.test): a start whose token Slack refuses stops
    before the Slack layer is imported (a third of the imports of `cr-bot run`)."""
    client = client or make_client(settings)
    app = App(
        # Without a name Bolt names the app after the file that calls it ("app.py", this
        # one), found by inspect.stack(), which reads the source lines of every frame.
        name="app.py",
        client=client,
        listener_executor=ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="listener"),
        signing_secret=settings.signing_secret or "",
        process_before_response=process_before_response,
        # Socket Mode requests are authenticated by the WebSocket; HTTP ones by signature.
        request_verification_enabled=not settings.socket_mode,
        logger=logging.getLogger("bot.bolt"),
    )
    from bot import outbox
    from bot.outbox import Outbox
    from bot.slack import listeners
    from bot.slack.certificate import CERTIFICATE, CertificateMaker
    from bot.slack.failures import coordinators_report
    from bot.slack.listeners.home import render_home
    from bot.slack.services import Services
    from bot.usecases import people

    services = Services(
        settings=settings, session_factory=session_factory, client=client, clock=clock
    )
    # Rows enqueued in this factory's transactions are written when they commit.
    outbox.install(session_factory, home_users=people.home_users)
    services.outbox = Outbox(
        session_factory,
        client,
        clock=clock,
        report=coordinators_report(lambda: services.directory.coordinators),
        home=lambda user: render_home(services, user),
        # A certificate's PDF is made when its row is sent, not in the use case's transaction.
        makers={
            CERTIFICATE: CertificateMaker(
                session_factory, client, services.refresh_directory, settings.timezone
            )
        },
    )
    app.use(_shared_client(client))
    listeners.register(app, services)
    return app, services


def _shared_client(client: WebClient) -> Direct:
    """Bolt hands each listener a new plain WebClient (a copy of the app's settings, without
    its connections) and a `respond` that opens a connection per call; this hands them the
    app's own client instead, whose pooled connections are safe to share across threads
    (the token never changes here), and a `respond` on the same connections."""
    from bot.slack.listeners.runtime import Direct

    def shared_client(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        req.context["client"] = client
        req.context["respond"] = PooledRespond(response_url=req.context.response_url, client=client)
        return next()

    return Direct(shared_client)


# What `respond` passes on besides text, blocks and attachments (as Bolt's own respond).
RESPOND_OPTIONS = (
    "response_type",
    "replace_original",
    "delete_original",
    "unfurl_links",
    "unfurl_media",
    "thread_ts",
    "metadata",
)


def respond_message(
    text: str = "",
    blocks: Sequence[Any] | None = None,
    attachments: Sequence[Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The body Bolt's `respond` posts to a response_url, built alike."""
    unknown = set(options) - set(RESPOND_OPTIONS)
    if unknown:
        raise TypeError(f"respond() got unexpected arguments: {', '.join(sorted(unknown))}")
    message: dict[str, Any] = {"text": text}
    if blocks:
        message["blocks"] = convert_to_dict_list(blocks)
    if attachments:
        message["attachments"] = convert_to_dict_list(attachments)
    message.update((key, value) for key, value in options.items() if value is not None)
    return message


class PooledRespond(Respond):
    """Bolt's `respond` (the same arguments and message), sent on `client`'s kept-open
    connections instead of a new one per call."""

    def __init__(self, *, response_url: str | None, client: WebClient) -> None:
        super().__init__(response_url=response_url, proxy=client.proxy, ssl=client.ssl)
        self.client = client

    def __call__(  # type: ignore[override]
        self, text: str | dict[str, Any] = "", blocks: Sequence[Any] | None = None, **kwargs: Any
    ) -> WebhookResponse:
        if self.response_url is None:
            raise ValueError("respond is unsupported here as there is no response_url")
        if isinstance(text, dict):
            message = respond_message(**text)
        else:
            message = respond_message(text=text, blocks=blocks, **kwargs)
        return webhook_client(self.client, self.response_url).send_dict(message)
