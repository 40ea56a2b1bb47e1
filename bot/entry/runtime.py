"""Putting the bot together: the database, the directory file, the Bolt app and its services
(`build`), and the background workers that run beside it (`Runtime`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_sdk import WebClient

from bot.domain.directory import Directory
from bot.entry.app import SLACK_API_URL, create_app
from bot.entry.startup import (
    drop_bolt_token_warning,
    first_call_to_slack,
    open_database,
    slack_failure,
)
from bot.infra.db import SessionFactory
from bot.infra.directory_file import (
    EXAMPLE_FILE,
    DirectoryFileError,
    parse_directory,
    read_directory_file,
)
from bot.infra.memory import freeze_start, limit_malloc_arenas
from bot.infra.settings import Settings, SettingsError
from bot.infra.slack_http import PooledWebClient
from bot.usecases.directory import load_directory
from bot.usecases.directory_source import FileOutcome, apply_directory_file
from models.types import utcnow

if TYPE_CHECKING:  # made by create_app, which imports the Slack layer once Slack took the token
    from bot.slack.services import Services

# What the start did is logged under the name operators know from `cr-bot run` and gunicorn.
log = logging.getLogger("bot.entry.server")


@dataclass
class Runtime:
    """A running bot: the Bolt app, its services, and the background workers."""

    app: App
    services: Services
    _stoppers: list[Callable[[], None]] = field(default_factory=list)
    # Logged by `announce()` once the bot is up, so that a start that fails later (the app
    # token, the port) prints only its one line.
    _notes: list[tuple[int, str]] = field(default_factory=list)

    def start_background(self, *, outbox_interval: float = 5.0) -> None:
        """The outbox sender and the job scheduler, in daemon threads (glibc's malloc
        arenas limited and what the start built frozen first: bot.infra.memory)."""
        from bot.entry.scheduler import start_scheduler

        limit_malloc_arenas()
        freeze_start()

        outbox = self.services.outbox
        if outbox is not None:
            outbox.start(outbox_interval)
            self._stoppers.append(outbox.stop)
        scheduler = start_scheduler(self.services)
        self._stoppers.append(lambda: scheduler.shutdown(wait=False))

    def announce(self) -> None:
        """Log what the start did (the directory sync)."""
        for level, message in self._notes:
            log.log(level, message)
        self._notes.clear()

    def stop(self) -> None:
        for stop in reversed(self._stoppers):
            stop()
        self._stoppers.clear()
        self.services.session_factory.engine.dispose()
        if isinstance(self.services.client, PooledWebClient):
            self.services.client.close()


def build(
    settings: Settings,
    *,
    client: WebClient | None = None,
    clock: Callable[[], datetime] = utcnow,
    process_before_response: bool = False,
    sync_directory_file: bool = True,
    require_directory: bool = False,
) -> Runtime:
    """Upgrade the database, check the directory file, create the app (calls auth.test),
    then apply the directory file if it changed since it was last applied (an unchanged
    one leaves what coordinators changed in Slack). Whatever an operator can get wrong is a
    one-line SettingsError.

    require_directory (the entry points): a missing directory file stops the start unless
    the database has a directory from an earlier sync; else it is only logged."""
    engine = open_database(settings.database_url)
    session_factory = SessionFactory(engine)
    notes: list[tuple[int, str]] = []
    try:
        source = (
            _directory_file(settings, session_factory, notes, required=require_directory)
            if sync_directory_file
            else None
        )
        drop_bolt_token_warning()
        try:
            with first_call_to_slack():  # auth.test
                app, services = create_app(
                    settings,
                    session_factory=session_factory,
                    client=client,
                    clock=clock,
                    process_before_response=process_before_response,
                )
        except Exception as exc:
            api_url = client.base_url if client else settings.api_url or SLACK_API_URL
            failure = slack_failure(exc, api_url=api_url, token="SLACK_BOT_TOKEN")
            if failure is None:
                raise
            raise failure from None
        if source is not None:
            directory, text = source
            outcome = apply_directory_file(
                session_factory,
                directory,
                path=str(settings.directory_path.resolve()),
                text=text,
                now=clock(),
                force=False,
            )
            notes += _file_notes(settings.directory_path, outcome)
        services.refresh_directory()
        services.load_languages()
    except BaseException:
        engine.dispose()
        raise
    return Runtime(app=app, services=services, _notes=notes)


def _directory_file(
    settings: Settings,
    session_factory: SessionFactory,
    notes: list[tuple[int, str]],
    *,
    required: bool,
) -> tuple[Directory, str] | None:
    """The checked directory file and its text; None when it is missing (and allowed to be)."""
    path = settings.directory_path
    if not path.exists() and not path.is_symlink():
        if not required or load_directory(session_factory).cities:
            notes.append(
                (
                    logging.WARNING,
                    f"CR_DIRECTORY={path} not found: using the directory from the last sync "
                    "in the database",
                )
            )
            return None
        raise SettingsError(
            f"CR_DIRECTORY={path} not found: copy {EXAMPLE_FILE} to {path}, fill in your "
            f"cities and people, check it with `cr-bot directory check {path}`"
        )
    try:
        text = read_directory_file(path)
        return parse_directory(text), text
    except DirectoryFileError as exc:
        if len(exc.problems) == 1 and exc.problems[0].entry == str(path):
            # The file itself (a folder, not UTF-8, not readable), not its entries.
            raise SettingsError(f"CR_DIRECTORY={path}: {exc.problems[0].message}") from None
        raise SettingsError(
            f"CR_DIRECTORY={path} has problems (see `cr-bot directory check {path}`): "
            + "; ".join(str(p) for p in exc.problems[:3])
        ) from None


def _file_notes(path: object, outcome: FileOutcome) -> list[tuple[int, str]]:
    """The start's lines about the directory file: synced (and which changes made in Slack
    it replaced), or left alone because it is unchanged."""
    if outcome.applied:
        return [(logging.INFO, f"directory {path} synced: {outcome.report}")] + [
            (logging.WARNING, f"directory file {path} replaces: {replaced}")
            for replaced in outcome.replaced
        ]
    applied = outcome.last_applied
    when = f"{applied.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if applied else "before"
    line = f"directory {path} unchanged since it was applied ({when}): not applied again"
    if outcome.kept:
        n = len(outcome.kept)
        line += (
            f"; the directory in the database keeps {n} "
            f"{'change' if n == 1 else 'changes'} made in Slack since "
            "(`cr-bot directory export` writes it as a file)"
        )
    return [(logging.INFO, line)]
