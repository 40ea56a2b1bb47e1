"""App Home: the Home tab, published when the person opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.app import Services
from bot.slack.home import home_view
from bot.usecases import filing


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(services, client, event["user"])


def publish_home(services: Services, client: WebClient, user: str) -> None:
    summaries, total = filing.my_requests(services.session_factory, user)
    lang = services.lang_of(user)
    client.views_publish(
        user_id=user, view=home_view(summaries, services.directory, lang, total=total)
    )
