"""WSGI entry for several HTTP instances:
`gunicorn -c python:bot.entry.gunicorn_conf 'bot.entry.wsgi:create()'`.

gunicorn calls `create()` in each worker (after the fork), so every worker has
its own database pool and background sender; nothing happens at import time.
`bot.entry.gunicorn_conf` runs `check()` in the master first, so a fatal setting stops
gunicorn once, with its line, before any worker is forked.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from dotenv import find_dotenv, load_dotenv

from bot.entry.http import wsgi_app
from bot.entry.runtime import Runtime, build
from bot.entry.startup import configure_logging
from bot.infra.settings import Settings, SettingsError

# gunicorn.arbiter.Arbiter.WORKER_BOOT_ERROR: a worker exiting with it stops the master
# (any other exit code, and the master boots a new worker: a loop of the same error).
WORKER_BOOT_ERROR = 3


def prepare() -> Runtime:
    """Read `.env` and the environment and build the bot; SettingsError on a fatal setting."""
    load_dotenv(find_dotenv(usecwd=True))
    configure_logging(os.environ)
    settings = Settings.from_env(os.environ)
    if settings.socket_mode:
        raise SettingsError(
            "SLACK_APP_TOKEN is set, but gunicorn serves HTTP: unset it for HTTP mode "
            "(and set SLACK_SIGNING_SECRET)."
        )
    return build(settings, require_directory=True)


def check() -> None:
    """Everything `create()` checks (settings, database, directory file, Slack token), once,
    without serving: for gunicorn's master before it forks workers."""
    runtime = prepare()
    runtime.announce()
    runtime.stop()


def create() -> Callable[..., Iterable[bytes]]:
    """Build the bot and return the WSGI app; on a fatal setting print its line and stop."""
    try:
        runtime = prepare()
    except SettingsError as exc:
        print(f"cr-bot: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(WORKER_BOOT_ERROR) from None
    runtime.start_background()
    runtime.announce()
    app: Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]] = wsgi_app(runtime)
    return app
