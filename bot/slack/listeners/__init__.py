"""Listeners, split by what the person does; `register` is the one entry point.

Each module registers named handlers by the ids in `bot.slack.ids`. Around every
handler (`runtime`): the services in its context (its `services` argument), one error
handler (`errors`), and the outbox delivered once it finished.
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.listeners import (
    agreement,
    certificate,
    claims,
    decisions,
    deputies,
    directory,
    errors,
    filing,
    followup,
    guards,
    history,
    home,
    matching,
    reflection,
    runtime,
    search,
)
from bot.slack.services import Services


def register(app: App, services: Services) -> None:
    runtime.register(app, services)
    errors.register(app, services)
    guards.register(app)
    filing.register(app)
    decisions.register(app)
    matching.register(app)
    home.register(app)
    reflection.register(app)
    search.register(app)
    agreement.register(app)
    followup.register(app)
    deputies.register(app)
    claims.register(app)
    directory.register(app)
    history.register(app)
    certificate.register(app)
