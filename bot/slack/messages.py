"""Message builders: pure functions from domain data to {"text", "blocks"}."""

from __future__ import annotations

from typing import Any

from bot.domain.directory import Directory
from bot.domain.request import Summary
from bot.i18n import direction_label, fmt_money, fmt_range, format_label, status_label, t
from bot.slack import ids
from bot.slack.blocks import (
    actions,
    button,
    button_value,
    clip,
    confirm_dialog,
    context,
    escape,
    fields_section,
    section,
)

Message = dict[str, Any]


def cities_line(s: Summary, directory: Directory) -> str:
    partners = ", ".join(directory.city_name(k) for k in s.partner_keys)
    return f"{directory.city_name(s.own_city_key)} → {partners}"


def summary_blocks(
    s: Summary, directory: Directory, lang: str, *, with_question: bool = True
) -> list[dict[str, Any]]:
    """The request at a glance: title, people, cities, topic, format, dates."""
    fields = [
        f"*{t(lang, 'summary.by')}*\n<@{s.requester_id}>",
        f"*{t(lang, 'summary.cities')}*\n{escape(cities_line(s, directory))}",
        f"*{t(lang, 'summary.topic')}*\n{escape(directory.topic_label(s.topic_key, lang))}",
        f"*{t(lang, 'summary.format')}*\n{format_label(s.format, lang)} · "
        f"{direction_label(s.direction, lang)}",
        f"*{t(lang, 'summary.when')}*\n{fmt_range(s.date_from, s.date_to, lang)}",
        f"*{t(lang, 'summary.people')}*\n{s.travellers}",
        f"*{t(lang, 'summary.cost')}*\n{fmt_money(s.cost_eur, lang)}",
        f"*{t(lang, 'summary.status')}*\n{status_label(s.status, lang)}",
    ]
    blocks = [
        section(f"*{t(lang, 'summary.request', id=s.id)}: {escape(s.title)}*"),
        fields_section(fields),
    ]
    if with_question:
        blocks.append(section(f"*{t(lang, 'summary.question')}*\n{escape(s.question)}"))
    return blocks


def fallback_text(s: Summary, lang: str) -> str:
    """Notification text (also what screen readers and push notifications show)."""
    return clip(f"{t(lang, 'summary.request', id=s.id)}: {s.title}", 300)


def request_filed(s: Summary, directory: Directory, lang: str) -> Message:
    """The requester's confirmation DM, with the way to cancel."""
    intro = t(lang, "dm.filed", id=s.id, city=escape(directory.city_name(s.own_city_key)))
    return {
        "text": intro.replace("*", ""),
        "blocks": [
            section(intro),
            *summary_blocks(s, directory, lang),
            cancel_actions(s, lang),
        ],
    }


def cancel_actions(s: Summary, lang: str) -> dict[str, Any]:
    return actions(
        f"cancel_{s.id}",
        button(
            t(lang, "button.cancel"),
            ids.A_CANCEL,
            button_value(s.id, s.version),
            confirm=confirm_dialog(
                t(lang, "confirm.cancel.title"),
                t(lang, "confirm.cancel.text", id=s.id),
                t(lang, "confirm.yes_cancel"),
                t(lang, "confirm.no"),
            ),
        ),
    )


def help_message(lang: str, unknown: str | None = None) -> Message:
    text = t(lang, "help")
    if unknown:
        text = t(lang, "help.unknown", word=escape(clip(unknown, 50))) + "\n" + text
    return {"text": text, "blocks": [section(text)]}


def plain_message(text: str) -> Message:
    return {"text": text, "blocks": [section(text)]}


def request_list(
    summaries: list[Summary], directory: Directory, lang: str, *, total: int
) -> Message:
    """`/cr-request list`: my requests, newest first, each with status and a cancel button."""
    if not summaries:
        return plain_message(t(lang, "list.empty"))
    blocks: list[dict[str, Any]] = [section(t(lang, "list.title"))]
    for s in summaries:
        line = (
            f"*#{s.id} {escape(clip(s.title, 150))}*\n"
            f"{escape(cities_line(s, directory))} · {fmt_range(s.date_from, s.date_to, lang)}\n"
            f"_{status_label(s.status, lang)}_"
        )
        blocks.append(section(line))
        if s.status in ("submitted", "needs_info", "approved", "matched"):
            blocks.append(cancel_actions(s, lang))
    if total > len(summaries):
        blocks.append(context(t(lang, "list.more", n=total - len(summaries))))
    return {"text": t(lang, "list.title").replace("*", ""), "blocks": blocks[:50]}


def delivery_failed(request_id: int | None, method: str, error: str) -> Message:
    text = t("de", "delivery.failed", id=request_id or "–", method=method, error=error)
    return {"text": text, "blocks": [section(text)]}


def decision_request(s: Summary, directory: Directory, lang: str) -> Message:
    """What a contact of the requester's city gets: the request and the three buttons."""
    value = button_value(s.id, s.version)
    intro = t(lang, "decide.intro", id=s.id, user=f"<@{s.requester_id}>")
    return {
        "text": fallback_text(s, lang),
        "blocks": [
            section(intro),
            *summary_blocks(s, directory, lang),
            actions(
                f"decide_{s.id}_{s.version}",
                button(t(lang, "button.approve"), ids.A_APPROVE, value, style="primary"),
                button(t(lang, "button.decline"), ids.A_DECLINE, value, style="danger"),
                button(t(lang, "button.ask"), ids.A_ASK, value),
            ),
        ],
    }
