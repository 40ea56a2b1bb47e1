"""The Home tab view."""

from __future__ import annotations

from typing import Any

from bot.domain.directory import Directory
from bot.domain.request import Summary
from bot.i18n import fmt_range, status_label, t
from bot.slack import ids
from bot.slack.blocks import actions, button, context, divider, escape, header, section
from bot.slack.messages import cities_line

MAX_BLOCKS = 100


def home_view(
    mine: list[Summary], directory: Directory, lang: str, *, total: int
) -> dict[str, Any]:
    """A button to file a request, then my requests with their status (newest first)."""
    blocks: list[dict[str, Any]] = [
        header(t(lang, "home.title")),
        section(t(lang, "home.intro")),
        actions("home_new", button(t(lang, "home.new"), ids.A_NEW_REQUEST, "new", style="primary")),
        divider(),
        section(t(lang, "list.title")),
    ]
    if not mine:
        blocks.append(context(t(lang, "list.empty")))
    for s in mine:
        blocks.append(
            section(
                f"*#{s.id} {escape(s.title)}*\n"
                f"{escape(cities_line(s, directory))} · {fmt_range(s.date_from, s.date_to, lang)}\n"
                f"_{status_label(s.status, lang)}_"
            )
        )
    if total > len(mine):
        blocks.append(context(t(lang, "list.more", n=total - len(mine))))
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}
