"""`/cr-request report [YEAR]`: the yearly report as a private Block Kit message."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.render.report import overview_rows, tables
from bot.slack.blocks import TEXT_MAX, Block, context, escape, header, section
from bot.texts import t
from bot.usecases.report import Report

MAX_BLOCKS = 50  # Slack's limit for a message


def report_year(arg: str | None, today: date) -> int | None:
    """The year asked for: none given means this year; None when it is not a year."""
    if not arg:
        return today.year
    if arg.isascii() and arg.isdigit() and len(arg) == 4 and 2000 <= int(arg) <= today.year + 1:
        return int(arg)
    return None


def report_refused(lang: str) -> dict[str, Any]:
    text = t(lang, "report.refused")
    return {"text": text, "blocks": [section(text)]}


def report_bad_year(lang: str, today: date) -> dict[str, Any]:
    text = t(lang, "report.bad_year", year=today.year)
    return {"text": text, "blocks": [section(text)]}


def report_message(report: Report, lang: str) -> dict[str, Any]:
    """Header, the headline numbers, one section per breakdown (split to fit), a note."""
    title = t(lang, "report.title", year=report.year)
    if report.network:
        title += f" – {report.network}"
    blocks: list[Block] = [header(title)]
    overview = overview_rows(report, lang)
    blocks += _sections(
        t(lang, "report.overview"), [f"{label}: *{value or '–'}*" for label, value in overview]
    )
    for table_title, head, rows in tables(report, lang):
        lines = [_line(row, head) for row in rows] or [f"_{t(lang, 'report.none')}_"]
        blocks += _sections(table_title, lines)
    note = context(escape(t(lang, "report.note", year=report.year, tz=report.timezone)))
    if len(blocks) >= MAX_BLOCKS:
        blocks = [*blocks[: MAX_BLOCKS - 2], section("…")]
    blocks.append(note)
    return {"text": title, "blocks": blocks}


def _line(row: tuple[str, ...], head: tuple[str, ...] = ()) -> str:
    if len(row) > 3:  # the budget table: one line per city, each figure with its name
        figures = " · ".join(f"{h} *{v or '–'}*" for h, v in zip(head[1:], row[1:], strict=False))
        return f"• {escape(row[0])}: {figures}"
    *names, count = row
    if len(names) == 2:  # city pair
        return f"• {escape(names[0])} → {escape(names[1])}: *{count}*"
    return f"• {escape(names[0])}: *{count}*"


def _sections(title: str, lines: list[str]) -> list[Block]:
    """`*title*` and the lines, in as many sections as the 3,000-character limit needs."""
    blocks: list[Block] = []
    text = f"*{escape(title)}*"
    for line in lines:
        if len(text) + 1 + len(line) > TEXT_MAX:
            blocks.append(section(text))
            text = line
        else:
            text += "\n" + line
    blocks.append(section(text))
    return blocks
