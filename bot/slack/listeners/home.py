"""App Home: the Home tab, published when the person opens it and after every change."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.app import Services
from bot.slack.home import home_view
from bot.usecases.home import home_for


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = event["user"]
        client.views_publish(user_id=user, view=render_home(services, user))


def render_home(services: Services, user: str) -> dict[str, Any]:
    """The Home tab of `user`, as of now."""
    today = services.clock().astimezone(services.settings.timezone).date()
    data = home_for(services.session_factory, user, services.directory, today=today)
    return home_view(data, services.directory, services.lang_of(user))
