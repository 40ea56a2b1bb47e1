"""The `cr-bot` command. The only place (besides bot.entry.wsgi) that reads `.env`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from dotenv import find_dotenv, load_dotenv

from bot.entry import cli_admin
from bot.entry.startup import configure_logging, open_database
from bot.infra.settings import Settings, SettingsError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cr-bot", description="Slack bot for C+R exchanges between partner cities."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("run", help="run the bot (Socket Mode with SLACK_APP_TOKEN, else HTTP)")

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="bring the schema up to date (Alembic)")

    directory = sub.add_parser("directory", help="the directory file (cities, topics, people)")
    dir_sub = directory.add_subparsers(dest="dir_command", required=True, metavar="ACTION")
    for name, text in (
        ("check", "check FILE and name every problem"),
        ("sync", "apply FILE now (it replaces changes made in Slack)"),
    ):
        p = dir_sub.add_parser(name, help=text)
        p.add_argument("file", type=Path, metavar="FILE")
    export = dir_sub.add_parser(
        "export",
        help="write the directory as it is now (Slack's changes included) as a directory file",
    )
    export.add_argument("file", type=Path, nargs="?", metavar="FILE", help="else to stdout")

    digest = sub.add_parser("digest", help="post the channel digest of the current period")
    mode = digest.add_mutually_exclusive_group()
    mode.add_argument("--dry-run", action="store_true", help="print it, post nothing")
    mode.add_argument("--now", action="store_true", help="post the current period now (once)")
    sub.add_parser("remind", help="remind contacts of pending decisions, escalate old ones")
    sub.add_parser("reflect", help="ask for reflections after exchanges; complete old ones")

    history = sub.add_parser("history", help="print the audit trail of a request")
    history.add_argument("request_id", type=int, metavar="REQUEST_ID")
    cli_admin.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    load_dotenv(find_dotenv(usecwd=True))
    try:
        configure_logging(os.environ, fmt="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return _dispatch(args)
    except SettingsError as exc:
        print(f"cr-bot: {exc}", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "run":
        settings = Settings.from_env(os.environ)  # before importing the server: one clear line
        from bot.entry.server import run

        run(settings)
        return 0
    if args.command == "directory" and args.dir_command == "check":
        return _directory_check(args.file)
    if args.command in ("digest", "remind", "reflect") and not getattr(args, "dry_run", False):
        return _job(args)
    settings = Settings.from_env(os.environ, offline=True)  # no Slack token needed
    from bot.infra.db import SessionFactory

    session_factory = SessionFactory(open_database(settings.database_url))
    if (code := cli_admin.dispatch(args, settings, session_factory)) is not None:
        return code
    if args.command == "db":
        print("database is up to date")
        return 0
    if args.command == "directory" and args.dir_command == "export":
        return _directory_export(session_factory, args.file)
    if args.command == "directory":
        return _directory_sync(session_factory, args.file)
    if args.command == "digest" and args.dry_run:
        return _digest_dry_run(settings, session_factory)
    if args.command == "history":
        from bot.usecases.history import history_lines

        lines = history_lines(session_factory, args.request_id, tz=settings.timezone)
        if not lines:
            print(f"cr-bot: no request #{args.request_id}", file=sys.stderr)
            return 1
        print("\n".join(lines))
        return 0
    raise AssertionError(args.command)


def _directory_check(path: Path) -> int:
    from bot.infra.directory_file import DirectoryFileError, check_directory, read_directory_file

    try:
        text = read_directory_file(path)
    except DirectoryFileError as exc:
        print(f"{path}: {exc.problems[0].message}", file=sys.stderr)
        return 1
    problems = check_directory(text)
    for problem in problems:
        print(f"{path}: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"{path}: ok")
    return 0


def _directory_sync(session_factory: object, path: Path) -> int:
    from bot.infra.directory_file import DirectoryFileError, parse_directory, read_directory_file
    from bot.usecases.directory_source import apply_directory_file
    from models.types import utcnow

    try:
        text = read_directory_file(path)
        directory = parse_directory(text)
    except DirectoryFileError as exc:
        for problem in exc.problems:
            # A problem of the file itself (a folder, not UTF-8) is named by its path already.
            line = problem.message if problem.entry == str(path) else str(problem)
            print(f"{path}: {line}", file=sys.stderr)
        return 1
    outcome = apply_directory_file(
        session_factory,  # type: ignore[arg-type]
        directory,
        path=str(path.resolve()),
        text=text,
        now=utcnow(),
        force=True,
    )
    print(f"{path}: {outcome.report}")
    for replaced in outcome.replaced:
        print(f"{path}: replaces {replaced}")
    return 0


def _directory_export(session_factory: object, path: Path | None) -> int:
    """The directory in the database as a directory file, to `path` or stdout; checked as
    `directory check` would (a problem is named, exit code 1, the file written anyway)."""
    from bot.infra.directory_export import directory_toml
    from bot.infra.directory_file import check_directory
    from bot.usecases.directory import load_directory
    from models.types import utcnow

    directory = load_directory(session_factory)  # type: ignore[arg-type]
    if not directory.network_name:
        print(
            "cr-bot: no directory in the database yet: load a file first with "
            "`cr-bot directory sync FILE`",
            file=sys.stderr,
        )
        return 1
    text = directory_toml(directory, written_at=utcnow())
    name = str(path) if path else "stdout"
    if path is None:
        sys.stdout.write(text)
    else:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"cr-bot: {path}: cannot write ({exc.strerror or exc})", file=sys.stderr)
            return 1
    problems = check_directory(text)
    for problem in problems:
        print(f"{name}: {problem}", file=sys.stderr)
    if problems:
        print(
            f"{name}: the directory in the database has the problems above; fix them in the "
            "file before `cr-bot directory sync`",
            file=sys.stderr,
        )
        return 1
    if path is not None:
        print(f"{path}: directory exported")
    return 0


def _digest_dry_run(settings: Settings, session_factory: object) -> int:
    from bot.slack.digest import digest_text
    from bot.usecases.digest import build_digest
    from bot.usecases.directory import load_directory
    from models.types import utcnow

    today = utcnow().astimezone(settings.timezone).date()
    content = build_digest(session_factory, today=today)  # type: ignore[arg-type]
    directory = load_directory(session_factory)  # type: ignore[arg-type]
    print(digest_text(content, directory, settings.language))
    return 0


def _job(args: argparse.Namespace) -> int:
    """Run one job as cron would. It posts through Slack, so it needs the bot token (but no
    signing secret: it serves nothing); the digest needs its channel. Checked before the
    database and Slack are touched."""
    command = f"cr-bot {args.command}"
    if not os.environ.get("SLACK_BOT_TOKEN", "").strip():
        raise SettingsError(
            f"SLACK_BOT_TOKEN is not set: `{command}` posts through Slack; copy the Bot User "
            "OAuth Token (xoxb-…) of your Slack app into .env (see .env.example)."
        )
    settings = Settings.from_env(os.environ, require_slack=False)
    if args.command == "digest" and not settings.digest_channel:
        raise SettingsError(
            "CR_DIGEST_CHANNEL is not set: `cr-bot digest` needs the ID of the channel to post "
            "to (channel details → bottom, e.g. C0123ABCD), and the bot invited there "
            "(/invite @cr-bot); `cr-bot digest --dry-run` prints it without posting."
        )
    from bot.entry.runtime import build
    from bot.entry.scheduler import digest_job, reflect_job, remind_job

    runtime = build(settings, sync_directory_file=False)
    try:
        if args.command == "digest":
            print(f"digest: {digest_job(runtime.services, force=args.now)}")
        elif args.command == "remind":
            print(f"remind: {remind_job(runtime.services)}")
        else:
            print(f"reflect: {reflect_job(runtime.services)}")
        pending = runtime.services.outbox.pending() if runtime.services.outbox else 0
        if pending:
            print(f"{pending} message(s) wait for Slack; the running bot sends them.")
    finally:
        runtime.stop()
    return 0
