"""`cr-bot report | purge | export`: the numbers for funders and the data lifecycle.

Wired into `bot.entry.cli`: `add_commands(sub)` in the parser, `dispatch(...)` once the
database is up to date.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.entry.startup import output_failure, writable_output

if TYPE_CHECKING:  # the use cases are imported when a command runs, as in bot.entry.cli
    from bot.infra.db import SessionFactory
    from bot.infra.settings import Settings
    from bot.usecases.report import Report

COMMANDS = ("report", "purge", "export")


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `report`, `purge` and `export` to the `cr-bot` subcommands."""
    report = sub.add_parser(
        "report",
        help="yearly report: exchanges, travellers, costs, decision times, ratings",
        description="The yearly report. CSV goes to stdout as plain UTF-8; with --output it "
        "is written as UTF-8 with BOM, which German spreadsheet software opens cleanly.",
    )
    report.add_argument("--year", type=_year, required=True, metavar="YYYY")
    report.add_argument(
        "--format",
        choices=("csv", "markdown", "html", "pdf"),
        default="csv",
        help="html: one self-contained page with charts; pdf: that page printed by headless "
        "Chromium (Debian's chromium package), needs --output",
    )
    report.add_argument(
        "--separator",
        choices=(";", ","),
        default=";",
        help="CSV separator; ';' (default) also writes decimal commas for German spreadsheets",
    )
    report.add_argument("--output", type=Path, metavar="FILE", help="write here, not to stdout")

    purge_cmd = sub.add_parser(
        "purge",
        help="remove texts and people of requests closed longer ago than DURATION",
        description="Remove titles, questions, comments, reflections' texts and Slack user "
        "IDs of completed, declined and cancelled requests closed longer ago than DURATION; "
        "the numbers of the yearly report stay. Without --yes only says how many requests "
        "it would purge.",
    )
    purge_cmd.add_argument(
        "--older-than",
        type=_duration,
        metavar="DURATION",
        help="e.g. 365d, 12w, 18m (months) or 2y; default: CR_PURGE_AFTER",
    )
    purge_cmd.add_argument("--yes", action="store_true", help="really purge (else a dry run)")

    export = sub.add_parser(
        "export",
        help="write everything stored about one person as JSON",
        description="Everything stored about one Slack user ID, as JSON (logged in the "
        "audit trail).",
    )
    export.add_argument("--user", required=True, metavar="USER_ID")
    export.add_argument("--output", type=Path, metavar="FILE", help="write here, not to stdout")


def build_parser() -> argparse.ArgumentParser:
    """A parser with only these commands (for tests)."""
    parser = argparse.ArgumentParser(prog="cr-bot")
    add_commands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    return parser


def dispatch(
    args: argparse.Namespace,
    settings: Settings,
    session_factory: SessionFactory,
    *,
    now: datetime | None = None,
) -> int | None:
    """Run the command and return its exit code; None when it is not one of ours."""
    if args.command not in COMMANDS:
        return None
    now = now or datetime.now(UTC)
    output: Path | None = getattr(args, "output", None)
    if output is not None:
        writable_output(output)  # before the work (an export is recorded in the audit trail)
    if args.command == "report":
        return _report(args, settings, session_factory, now)
    if args.command == "purge":
        return _purge(args, settings, session_factory, now)
    return _export(args, session_factory, now)


def _report(
    args: argparse.Namespace, settings: Settings, session_factory: SessionFactory, now: datetime
) -> int:
    from bot.render.report import report_csv, report_markdown
    from bot.usecases.report import yearly_report

    if args.format == "pdf" and args.output is None:
        print("cr-bot: --format pdf needs --output FILE", file=sys.stderr)
        return 2
    today = now.astimezone(settings.timezone).date()
    report = yearly_report(session_factory, args.year, tz=settings.timezone, today=today)
    if args.format in ("html", "pdf"):
        return _report_page(args, report, settings)
    if args.format == "markdown":
        text = report_markdown(report, settings.language)
        encoding = "utf-8"
    else:
        text = report_csv(report, separator=args.separator)
        encoding = "utf-8-sig"  # the BOM tells Excel it is UTF-8
    if args.output is None:
        sys.stdout.write(text)
        return 0
    # newline="": the CSV already ends its rows with \r\n.
    _write(args.output, text, encoding=encoding, newline="")
    print(f"report {args.year} written to {args.output}", file=sys.stderr)
    return 0


def _report_page(args: argparse.Namespace, report: Report, settings: Settings) -> int:
    import tempfile

    from bot.render import browser
    from bot.render.report_html import report_html

    today = datetime.now(settings.timezone).date()
    page = report_html(report, settings.language, today=today)
    if args.format == "html":
        if args.output is None:
            sys.stdout.write(page)
            return 0
        _write(args.output, page, encoding="utf-8", newline="")
    else:
        with tempfile.TemporaryDirectory(prefix="cr-bot-report-") as tmp:
            source = Path(tmp) / "report.html"
            source.write_text(page, encoding="utf-8")
            try:
                browser.print_pdf(source, Path(tmp) / "report.pdf")
            except (browser.BrowserMissing, RuntimeError, OSError) as exc:
                print(f"cr-bot: no PDF: {exc}", file=sys.stderr)
                return 1
            _write_bytes(args.output, (Path(tmp) / "report.pdf").read_bytes())
    print(f"report {args.year} written to {args.output}", file=sys.stderr)
    return 0


def _purge(
    args: argparse.Namespace, settings: Settings, session_factory: SessionFactory, now: datetime
) -> int:
    from bot.usecases.lifecycle import count_purgeable, purge

    if args.older_than is None:
        if settings.purge_after is None:
            print(
                "cr-bot: purge needs --older-than DURATION (e.g. 2y), or CR_PURGE_AFTER set "
                "(the age the privacy line tells people)",
                file=sys.stderr,
            )
            return 2
        args.older_than = settings.purge_after.delta
    if not args.yes:
        n = count_purgeable(session_factory, args.older_than, now=now)
        print(
            f"dry run: {n} closed requests older than {args.older_than.days} days would be "
            "purged; nothing changed. Run again with --yes to purge."
        )
        return 0
    n = purge(session_factory, args.older_than, now=now)
    print(f"purged {n} closed requests older than {args.older_than.days} days")
    return 0


def _export(args: argparse.Namespace, session_factory: SessionFactory, now: datetime) -> int:
    from bot.usecases.lifecycle import export_user

    data = export_user(session_factory, args.user, now=now)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        _write(args.output, text, encoding="utf-8")
        print(f"export of {args.user} written to {args.output}", file=sys.stderr)
    return 0


def _write(path: Path, text: str, *, encoding: str, newline: str | None = None) -> None:
    try:
        path.write_text(text, encoding=encoding, newline=newline)
    except OSError as exc:
        raise output_failure(exc, path) from None


def _write_bytes(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise output_failure(exc, path) from None


def _year(text: str) -> int:
    if not (text.isdigit() and len(text) == 4):
        raise argparse.ArgumentTypeError(f"invalid year {text!r}: four digits, e.g. 2026")
    return int(text)


def _duration(text: str) -> timedelta:
    from bot.usecases.lifecycle import parse_duration

    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
