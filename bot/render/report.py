"""The yearly report as people read it: CSV and Markdown files, and the rows they share.

Presentation, not a use case: `bot.usecases.report` counts, this module words and
formats the numbers. It sits outside `bot.slack` because the CLI writes these files
without Slack; the Block Kit message (`bot.slack.report_message`) reuses the rows.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal

from bot.domain.request import FORMATS
from bot.render import csv_cells
from bot.texts import decimal_comma, fmt_cents, fmt_money, format_label, has_text, t
from bot.usecases.report import Report

Table = tuple[str, tuple[str, ...], list[tuple[str, ...]]]


def status_name(status: str, lang: str) -> str:
    key = f"report.status.{status}"
    return t(lang, key) if has_text(key) else status


def format_name(key: str, lang: str) -> str:
    return format_label(key, lang) if key in FORMATS else key


def number(value: float | Decimal | None, places: int, *, comma: bool) -> str:
    """Fixed decimals, no thousands separator (spreadsheets read it as a number)."""
    if value is None:
        return ""
    text = f"{value:.{places}f}"
    return text.replace(".", ",") if comma else text


def unit_for(label: str, human: bool) -> str:
    """People read amounts with their "€"; only the CSV's plain numbers need "(EUR)"."""
    return label.removesuffix(" (EUR)") if human else label


def overview_rows(report: Report, lang: str, *, comma: bool | None = None) -> list[tuple[str, str]]:
    """(label, value) of the headline numbers, shared by every rendering.

    `comma` None: for people (Markdown, Slack): money as everywhere ("2.450,50 €",
    "€2,450.50"), other numbers with `lang`'s decimal mark. True/False: for the CSV, plain
    numbers with a decimal comma or point."""
    share = report.recommend_share
    human = comma is None
    if comma is None:
        comma = decimal_comma(lang)
    cost = fmt_money(report.cost_eur, lang) if human else number(report.cost_eur, 2, comma=comma)
    return [
        (t(lang, "report.requests_filed"), str(report.requests_filed)),
        (t(lang, "report.exchanges"), str(report.exchanges)),
        (t(lang, "report.lapsed"), str(report.lapsed)),
        (t(lang, "report.travellers"), str(report.travellers)),
        (unit_for(t(lang, "report.cost"), human), cost),
        (t(lang, "report.with_cost"), str(report.exchanges_with_cost)),
        (t(lang, "report.decisions"), str(report.decisions)),
        (
            t(lang, "report.decision_median"),
            number(report.decision_hours_median, 1, comma=comma),
        ),
        (t(lang, "report.reflections"), str(report.reflections)),
        (t(lang, "report.rating_mean"), number(report.rating_mean, 2, comma=comma)),
        (
            t(lang, "report.recommend"),
            number(None if share is None else share * 100, 1, comma=comma),
        ),
    ]


def budget_table(report: Report, lang: str, *, comma: bool | None = None) -> Table:
    """Per city (and the network's budget): budget, estimated, claimed, checked, paid,
    remaining, in euros: for people (`comma` None) as money, for the CSV plain numbers."""

    def euros(cents: int | None) -> str:
        if cents is None:
            return ""
        if comma is None:
            return fmt_cents(cents, lang)
        return number(Decimal(cents) / 100, 2, comma=comma)

    header = tuple(
        t(lang, f"report.{key}")
        for key in ("city", "budget", "estimated", "claimed", "checked", "paid", "remaining")
    )
    rows: list[tuple[str, ...]] = []
    for row in report.budget_rows:
        name = (
            report.city(row.city)
            if row.city
            else t(lang, "report.network_budget", network=report.network)
        )
        rows.append(
            (
                name,
                euros(row.budget_cents),
                euros(row.estimated_cents),
                euros(row.claimed_cents),
                euros(row.checked_cents),
                euros(row.paid_cents),
                euros(row.remaining_cents),
            )
        )
    return (unit_for(t(lang, "report.by_budget"), comma is None), header, rows)


def tables(report: Report, lang: str, *, comma: bool | None = None) -> list[Table]:
    """(title, header, rows) of every breakdown, shared by CSV, Markdown and Slack;
    `comma` as in `overview_rows` (None: for people)."""
    money = budget_table(report, lang, comma=comma)
    return [
        (
            t(lang, "report.by_status"),
            (t(lang, "report.status"), t(lang, "report.requests")),
            [(status_name(s, lang), str(n)) for s, n in report.requests_by_status.items()],
        ),
        (
            t(lang, "report.by_pair"),
            (
                t(lang, "report.own_city"),
                t(lang, "report.partner_city"),
                t(lang, "report.exchanges"),
            ),
            [(report.city(a), report.city(b), str(n)) for (a, b), n in report.by_city_pair.items()],
        ),
        (
            t(lang, "report.by_topic"),
            (t(lang, "report.topic"), t(lang, "report.exchanges")),
            [(report.topic(k, lang), str(n)) for k, n in report.by_topic.items()],
        ),
        (
            t(lang, "report.by_format"),
            (t(lang, "report.format"), t(lang, "report.exchanges")),
            [(format_name(k, lang), str(n)) for k, n in report.by_format.items()],
        ),
        (
            t(lang, "report.ratings"),
            (t(lang, "report.rating"), t(lang, "report.reflections")),
            [(str(r), str(n)) for r, n in report.ratings.items()],
        ),
        (
            t(lang, "report.shared"),
            (t(lang, "report.shared_with"), t(lang, "report.reflections")),
            [(t(lang, f"share.{k}"), str(n)) for k, n in report.shared.items()],
        ),
        (
            t(lang, "report.follow_ups"),
            (t(lang, "report.follow_up"), t(lang, "report.answers")),
            [(t(lang, f"followup.{k}"), str(n)) for k, n in report.follow_ups.items()],
        ),
        money,
    ]


def report_csv(report: Report, *, separator: str = ";") -> str:
    """German CSV: per table a title row, a header row, the rows, then an empty row.

    With ";" numbers use a decimal comma (German spreadsheets); with "," a point.
    The CLI writes it to files as UTF-8 with BOM so Excel detects the encoding. Cells
    that a spreadsheet would run as a formula start with a quote (`csv_cells`).
    """
    comma = separator == ";"
    out = io.StringIO()
    writer = csv_cells.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow([t("de", "report.title", year=report.year)])
    writer.writerow([t("de", "report.note", year=report.year, tz=report.timezone)])
    writer.writerow([])
    writer.writerow([t("de", "report.overview")])
    writer.writerow([t("de", "report.metric"), t("de", "report.value")])
    writer.writerow([t("de", "report.year"), str(report.year)])
    writer.writerows(overview_rows(report, "de", comma=comma))
    for title, header, rows in tables(report, "de", comma=comma):
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
    return out.getvalue()


def report_markdown(report: Report, lang: str = "de") -> str:
    """Headings and tables; numbers the way `lang` writes them."""
    title = t(lang, "report.title", year=report.year)
    lines = [f"# {title}" + (f" – {_md(report.network)}" if report.network else ""), ""]
    lines += [t(lang, "report.note", year=report.year, tz=report.timezone), ""]
    lines += [f"## {t(lang, 'report.overview')}", ""]
    overview = [(label, value or "–") for label, value in overview_rows(report, lang)]
    lines += _md_table((t(lang, "report.metric"), t(lang, "report.value")), overview)
    for table_title, header, rows in tables(report, lang):
        lines += ["", f"## {table_title}", ""]
        lines += _md_table(header, rows) if rows else [f"_{t(lang, 'report.none')}_"]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def _md_table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    # The last column holds the numbers: right-aligned.
    align = ["---"] * (len(header) - 1) + ["---:"]
    lines = ["| " + " | ".join(_md(h) for h in header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return lines
