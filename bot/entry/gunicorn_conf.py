"""gunicorn settings for cr-bot.

`gunicorn -c python:bot.entry.gunicorn_conf 'bot.entry.wsgi:create()'`.

Without it a fatal setting still stops gunicorn (each worker exits with the code that
makes the master give up), but every worker prints the line; with it the master checks
first and exits with the one line, exit code 2, before forking anything.
"""

from __future__ import annotations

import sys
from typing import Any

from bot.infra.settings import SettingsError


def on_starting(server: Any) -> None:
    """gunicorn's hook in the master, before it binds the port and forks the workers."""
    from bot.entry.wsgi import check

    try:
        check()
    except SettingsError as exc:
        print(f"cr-bot: {exc}", file=sys.stderr, flush=True)
        if server.pidfile is not None:
            server.pidfile.unlink()
        raise SystemExit(2) from None
