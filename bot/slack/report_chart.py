"""`/cr-request report`: the PNG of the two main charts, into the coordinator's DM.

Posted after the ack and after the text answer (files upload v2: getUploadURLExternal,
the upload, completeUploadExternal), with the headline numbers as its comment. When Slack
fails, the numbers have already arrived as text: the person is told, and can ask again.
"""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.slack.blocks import clip, escape
from bot.slack.messages import unmarked
from bot.texts import t
from bot.usecases.report import Report

log = logging.getLogger(__name__)


def chart_comment(report: Report, lang: str) -> str:
    """The headline numbers (and the budget used, when there is a budget)."""
    from bot.render import charts  # matplotlib loads when a chart is drawn, not at start
    from bot.render.report_html import budget_totals, percent

    title = t(lang, "report.title", year=report.year)
    if report.network:
        title += f" – {report.network}"
    comment = t(
        lang,
        "report.chart.comment",
        title=escape(title),
        exchanges=charts.count(report.exchanges, lang),
        people=charts.count(report.travellers, lang),
        cities=charts.count(len(charts.pair_cities(report)), lang),
        topics=charts.count(len(report.by_topic), lang),
    )
    budget, _, paid = budget_totals(report)
    if budget:
        share = percent(float(paid / budget), lang)
        comment += " · " + t(lang, "report.chart.budget_used", share=share)
    return comment


def chart_alt(report: Report, lang: str) -> str:
    """The image's alt text: the charts it holds and the headline numbers, plain."""
    numbers = unmarked(chart_comment(report, lang)).replace("&amp;", "&")
    return clip(t(lang, "report.chart.alt", year=report.year) + " " + numbers, 1000)


def post_report_chart(
    client: WebClient, user: str, report: Report, lang: str, respond: Respond
) -> bool:
    """Upload the chart into the DM with `user`; False (and the person told) on failure.

    A year without exchanges has nothing to draw: the text answer says it all.
    """
    if not report.exchanges:
        return False
    from bot.render import charts

    image = charts.png(charts.slack_chart(report, lang))
    try:
        opened = client.conversations_open(users=user)
        client.files_upload_v2(
            channel=opened["channel"]["id"],
            file=image,
            filename=f"cr-report-{report.year}.png",
            title=t(lang, "report.title", year=report.year),
            initial_comment=chart_comment(report, lang),
            # What a screen reader says for the image: what it shows, and its numbers.
            alt_txt=chart_alt(report, lang),
        )
    except (SlackClientError, OSError) as exc:
        log.warning("report chart for %s not uploaded: %s", user, exc)
        respond(response_type="ephemeral", text=t(lang, "report.chart.failed", year=report.year))
        return False
    return True
