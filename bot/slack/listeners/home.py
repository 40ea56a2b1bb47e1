"""App Home: the Home tab, published when the person opens it and after every change."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.home import home_view
from bot.slack.services import Services
from bot.slack.views import is_slack_id
from bot.usecases import people
from bot.usecases.attention import attention_for
from bot.usecases.home import home_for

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)


def home_opened(event: dict[str, Any], client: WebClient, services: Services) -> None:
    if event.get("tab", "home") != "home":
        return
    user = event.get("user")
    if not is_slack_id(user):
        return
    # Its first Home tab is already in the person's language; and from now on, changes
    # that concern them refresh it.
    services.learn_languages([user])
    people.home_opened(
        services.session_factory, user, default=services.settings.language, now=services.clock()
    )
    try:
        client.views_publish(user_id=user, view=render_home(services, user))
    except SlackApiError as exc:
        # Nobody to tell but the log; the next change or visit publishes it again.
        log.warning("views.publish of %s's Home failed: %s", user, exc.response.get("error"))


def render_home(services: Services, user: str) -> dict[str, Any]:
    """The Home tab of `user`, as of now (a coordinator's with what waits for them)."""
    tz = services.settings.timezone
    today = services.clock().astimezone(tz).date()
    directory = services.refresh_directory()
    data = home_for(services.session_factory, user, directory, today=today)
    attention = attention_for(services.session_factory, user, directory, today=today)
    return home_view(
        data,
        directory,
        services.lang_of(user),
        attention=attention,
        tz=tz,
        privacy=services.privacy(),
    )
