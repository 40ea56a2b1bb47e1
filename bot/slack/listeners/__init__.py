"""Listeners, split by what the person does; `register` is the one entry point."""

from __future__ import annotations

from slack_bolt import App

from bot.services import Services
from bot.slack.listeners import decisions, errors, filing, guards, home, reflection


def register(app: App, services: Services) -> None:
    errors.register(app, services)
    guards.register(app, services)
    filing.register(app, services)
    decisions.register(app, services)
    home.register(app, services)
    reflection.register(app, services)
