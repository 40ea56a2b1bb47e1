"""WSGI entry for several HTTP instances: `gunicorn 'bot.wsgi:create()'`.

gunicorn calls `create()` in each worker (after the fork), so every worker has
its own database pool and background sender; nothing happens at import time.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from dotenv import find_dotenv, load_dotenv

from bot.server import build, wsgi_app
from bot.settings import Settings, SettingsError


def create() -> Callable[..., Iterable[bytes]]:
    """Read `.env` and the environment, build the bot, return the WSGI app."""
    load_dotenv(find_dotenv(usecwd=True))
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))
    try:
        settings = Settings.from_env(os.environ)
        if settings.socket_mode:
            raise SettingsError(
                "SLACK_APP_TOKEN is set, but gunicorn serves HTTP: unset it for HTTP mode "
                "(and set SLACK_SIGNING_SECRET)."
            )
        runtime = build(settings)
    except SettingsError as exc:
        print(f"cr-bot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    runtime.start_background()
    app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]] = wsgi_app(runtime)
    return app
