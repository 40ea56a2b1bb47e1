"""What `/cr-request report` puts into the coordinator's DM as files: the report page
(self-contained HTML, as `cr-bot report --format html` writes it) and, where Chromium is
installed, its PDF; `/cr-request report zahlungen`: the payments list (CSV)."""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from bot.domain.directory import Directory
from bot.slack.blocks import escape
from bot.texts import fmt_cents, t
from bot.usecases.payments import Payment
from bot.usecases.ports import OutgoingFile
from bot.usecases.report import Report

log = logging.getLogger(__name__)


def report_files(report: Report, lang: str, *, today: date) -> list[OutgoingFile]:
    """The page, and its PDF when Chromium can print it (else the page alone)."""
    from bot.render import browser  # Chromium and matplotlib load only when asked
    from bot.render.report_html import report_html

    page = report_html(report, lang, today=today)
    title = t(lang, "report.title", year=report.year)
    if report.network:
        title += f" – {report.network}"
    files = [
        OutgoingFile(
            filename=f"cr-bericht-{report.year}.html",
            title=t(lang, "report.file.html_title", title=title),
            comment=t(lang, "report.file.html_comment", title=escape(title)),
            content=page.encode("utf-8"),
        )
    ]
    try:
        pdf = browser.pdf_of(page)
    except (browser.BrowserMissing, RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        log.warning("report %s: the page goes without its PDF (%s)", report.year, exc)
        return files
    files.append(
        OutgoingFile(
            filename=f"cr-bericht-{report.year}.pdf",
            title=t(lang, "report.file.pdf_title", title=title),
            comment=t(lang, "report.file.pdf_comment", title=escape(title)),
            content=pdf,
        )
    )
    return files


def payments_file(
    payments: Sequence[Payment], directory: Directory, lang: str, *, tz: ZoneInfo, today: date
) -> OutgoingFile:
    """The payments list for the finance office, with its count and sum in the comment."""
    from bot.render.payments import payments_csv

    stamp = today.strftime("%d.%m.%Y")
    total = fmt_cents(sum(p.amount_cents for p in payments), lang)
    return OutgoingFile(
        filename=f"cr-zahlungen-{today.isoformat()}.csv",
        title=t(lang, "payments.file_title", date=stamp),
        comment=t(lang, "payments.file_comment", count=len(payments), total=total, date=stamp),
        content=payments_csv(payments, city_name=directory.city_name, tz=tz),
    )
