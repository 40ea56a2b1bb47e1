"""`/cr-request report [YEAR]` and `/cr-request report zahlungen` (coordinators only).

The report: the numbers as a private message at once, the chart into the DM, then the
page and its PDF as files into the DM through the outbox (retried, never twice).
`zahlungen` (`payments`): the claims checked and not yet paid, as a CSV for the finance
office, into the DM the same way.
"""

from __future__ import annotations

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.slack import messages
from bot.slack.report_chart import post_report_chart
from bot.slack.report_files import payments_file, report_files
from bot.slack.report_message import report_bad_year, report_message, report_refused, report_year
from bot.slack.services import Services
from bot.texts import t
from bot.usecases.files import send_files
from bot.usecases.payments import checked_unpaid
from bot.usecases.report import yearly_report

REPORT_WORDS = {"report", "bericht"}
PAYMENT_WORDS = {"zahlungen", "payments", "zahlung", "payment"}


def report_command(
    args: list[str],
    user: str,
    lang: str,
    services: Services,
    ack: Ack,
    respond: Respond,
    client: WebClient | None,
) -> None:
    if not services.refresh_directory().is_coordinator(user):
        ack(**report_refused(lang))
        return
    today = services.clock().astimezone(services.settings.timezone).date()
    if args and args[0].lower() in PAYMENT_WORDS:
        payments_command(user, lang, services, ack)
        return
    year = report_year(args[0] if args else None, today)
    if year is None:
        ack(**report_bad_year(lang, today))
        return
    ack()
    report = yearly_report(
        services.session_factory, year, tz=services.settings.timezone, today=today
    )
    respond(response_type="ephemeral", **report_message(report, lang))
    if client is not None:
        post_report_chart(client, user, report, lang, respond)
    files = report_files(report, lang, today=today)
    send_files(
        services.session_factory,
        user,
        files,
        refused="report.refused",
        ctx=services.context(),
        now=services.clock(),
    )


def payments_command(user: str, lang: str, services: Services, ack: Ack) -> None:
    """The payments list into the DM (or a line saying there is nothing to pay)."""
    tz = services.settings.timezone
    now = services.clock()
    payments = checked_unpaid(services.session_factory)
    if not payments:
        ack(**messages.plain_message(t(lang, "payments.none")))
        return
    ack(**messages.plain_message(t(lang, "payments.coming", count=len(payments))))
    file = payments_file(payments, services.directory, lang, tz=tz, today=now.astimezone(tz).date())
    send_files(
        services.session_factory,
        user,
        [file],
        refused="report.refused",
        ctx=services.context(),
        now=now,
    )
