"""What an operator can get wrong when starting cr-bot, each turned into one `SettingsError`
line that says what is wrong and what to do (the entry points print it, exit code 2)."""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.error import URLError
from urllib.parse import urlparse

from bot.infra.settings import SettingsError

if TYPE_CHECKING:  # imported when used: `cr-bot directory check` needs neither
    from sqlalchemy import Engine

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# Slack's answers that mean "not now", not "this token is wrong".
_SLACK_UNWELL = {"fatal_error", "internal_error", "ratelimited", "request_timeout"}


def log_level(env: Mapping[str, str]) -> int:
    """LOG_LEVEL in any case (`debug`, `Info`); default INFO."""
    text = env.get("LOG_LEVEL", "").strip() or "INFO"
    name = text.upper()
    if name == "WARN":
        name = "WARNING"
    if name not in LOG_LEVELS:
        raise SettingsError(
            f"LOG_LEVEL={text!r} is not a log level: use one of {', '.join(LOG_LEVELS)}."
        )
    return int(logging.getLevelName(name))


class _ExactMessage(logging.Filter):
    """Drops the records of one logger whose message is exactly `message`."""

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != self.message


# Loggers whose libraries test the logger's own level (not the effective one) before they
# build a debug line: without a level of their own (NOTSET, 0 ≤ DEBUG) slack_sdk formats
# every call's whole payload and answer into a string, and Bolt names every middleware,
# at every request, for lines that are then dropped. Given LOG_LEVEL, the same records
# are kept as before.
LEVEL_TESTED = ("slack_sdk.web.base_client", "slack_sdk.webhook.client", "bot.bolt")


def configure_logging(env: Mapping[str, str], *, fmt: str | None = None) -> None:
    """Logging for the entry points: LOG_LEVEL, and no library chatter on every start."""
    level = log_level(env)
    logging.basicConfig(level=level, format=fmt or logging.BASIC_FORMAT)
    for name in LEVEL_TESTED:
        logging.getLogger(name).setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # "Adding job tentatively", "Added job", "Scheduler started": three INFO lines a job.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def drop_bolt_token_warning() -> None:
    """Bolt reads SLACK_BOT_TOKEN from the environment itself and warns, at every start,
    that it ignores it when given a client, which it must be (the client carries
    SLACK_API_URL). There is nothing to configure differently, so exactly this message, on
    the logger bot.entry.app hands Bolt, is dropped."""
    from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

    bolt = logging.getLogger("bot.bolt")
    message = warning_client_prioritized_and_token_skipped()
    if not any(isinstance(f, _ExactMessage) and f.message == message for f in bolt.filters):
        bolt.addFilter(_ExactMessage(message))


@contextmanager
def first_call_to_slack() -> Iterator[None]:
    """Around the start's first calls to Slack, whose failures become our one line: the SDK
    would log each failed attempt (an ERROR and the retry's INFO) before it raises."""
    sdk = logging.getLogger("slack_sdk.web.base_client")
    level = sdk.level
    sdk.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        sdk.setLevel(level)


def open_database(url: str) -> Engine:
    """The engine for DATABASE_URL with the schema brought up to date."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    from bot.infra.db import make_engine, upgrade

    scheme = url.split("://", 1)[0]
    try:
        engine = make_engine(url)
    except ModuleNotFoundError as exc:
        if scheme.startswith("postgres"):
            raise SettingsError(
                "DATABASE_URL is PostgreSQL, but its driver is not installed: "
                "pip install 'cr-bot[postgres]'"
            ) from None
        raise SettingsError(
            f"DATABASE_URL ({scheme}://…) needs the Python module {exc.name}, which is not "
            "installed: install it, or use sqlite:///cr-bot.db."
        ) from None
    except NoSuchModuleError:
        raise SettingsError(
            f"DATABASE_URL ({scheme}://…) names a database driver that is not known: use "
            "sqlite:///cr-bot.db or postgresql+psycopg://user@host/db."
        ) from None
    except ArgumentError as exc:
        raise SettingsError(
            f"DATABASE_URL is not a URL SQLAlchemy understands ({_first_line(exc)}): use "
            "sqlite:///cr-bot.db or postgresql+psycopg://user@host/db."
        ) from None
    try:
        upgrade(engine)
    except Exception as exc:
        engine.dispose()
        raise SettingsError(
            f"DATABASE_URL: cannot reach or upgrade the database ({type(exc).__name__}: "
            f"{_first_line(exc)}). Check the URL and that the server runs."
        ) from None
    return engine


def slack_failure(exc: BaseException, *, api_url: str, token: str) -> SettingsError | None:
    """The line for a failed first call to Slack with `token` (SLACK_BOT_TOKEN or
    SLACK_APP_TOKEN), or None when `exc` is not about reaching Slack."""
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    if isinstance(exc, BoltError) and isinstance(exc.__context__, SlackApiError):
        exc = exc.__context__  # Bolt's App() wraps auth.test's refusal, message and all
    if isinstance(exc, SlackApiError):
        error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
        if error in _SLACK_UNWELL or exc.response.status_code >= 500:
            return SettingsError(
                f"Slack at {api_url} answered {error}: the bot will not start without Slack; "
                "try again in a few minutes (status: https://slack-status.com)."
            )
        if token == "SLACK_APP_TOKEN":
            return SettingsError(
                f"SLACK_APP_TOKEN was refused by Slack ({error}): check the App-Level Token "
                "(xapp-…) under Basic Information → App-Level Tokens; it needs the scope "
                "connections:write."
            )
        return SettingsError(
            f"SLACK_BOT_TOKEN was refused by Slack ({error}): check the Bot User OAuth Token "
            "(xoxb-…) under OAuth & Permissions."
        )
    if isinstance(exc, OSError):  # URLError, refused, reset, timed out, no such host
        reason = exc.reason if isinstance(exc, URLError) else exc
        detail = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
        host = urlparse(api_url).netloc or api_url
        return SettingsError(
            f"Slack at {api_url} cannot be reached ({detail}): the bot will not start without "
            f"Slack; check the network, proxy or firewall to {host}, and SLACK_API_URL."
        )
    return None


def port_failure(exc: OSError, port: int) -> SettingsError:
    """The line for an HTTP port that cannot be listened on."""
    if exc.errno == errno.EADDRINUSE:
        return SettingsError(
            f"PORT {port} is in use: another program (or another cr-bot) listens there; "
            "stop it or set PORT to a free port."
        )
    if exc.errno == errno.EACCES:
        return SettingsError(
            f"PORT {port} needs privileges this user does not have: use a port above 1023 "
            "(e.g. 3000) behind your proxy."
        )
    return SettingsError(f"PORT {port} cannot be listened on ({exc.strerror or exc}).")


def writable_output(path: Path) -> None:
    """Raise a one-line SettingsError when `--output path` cannot be written."""
    import os

    if path.is_dir():
        raise SettingsError(f"--output {path} is a folder: name a file, e.g. {path / 'out'}.")
    folder = path.parent
    if not folder.is_dir():
        raise SettingsError(
            f"--output {path}: the folder {folder} does not exist: create it or name another file."
        )
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise SettingsError(f"--output {path}: not allowed to write there: name another file.")


def output_failure(exc: OSError, path: Path) -> SettingsError:
    return SettingsError(
        f"--output {path}: cannot write ({exc.strerror or exc}): name another file."
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else ""
