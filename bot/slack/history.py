"""The audit trail in Slack: the *Verlauf* button on the coordinators' messages about a
request (and their Home rows), and the modal it opens with who did what when."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot.slack import ids
from bot.slack.blocks import Block, actions, button, clip, context, escape, modal, section
from bot.slack.messages.common import Message
from bot.texts import fmt_datetime, has_text, t
from bot.usecases.history import SYSTEM, Trail, TrailEntry

MAX_BLOCKS = 100  # Slack's limit for a modal
SECTION_MAX = 2900  # a section's text, with room for the last line's clip


def history_button(request_id: int, lang: str) -> dict[str, Any]:
    """*Verlauf*: opens the request's audit trail (coordinators)."""
    return button(
        t(lang, "button.history"),
        ids.A_HISTORY_OPEN,
        str(request_id),
        label=t(lang, "a11y.history", id=request_id),
    )


def with_history(message: Message, request_id: int, lang: str) -> Message:
    """`message` with the *Verlauf* button added to its last buttons (or in a row of its own
    at the end, when it has none)."""
    blocks = [dict(b) for b in message["blocks"]]
    at = next(
        (i for i in range(len(blocks) - 1, -1, -1) if blocks[i].get("type") == "actions"), None
    )
    if at is None:
        blocks.append(actions(f"history_{request_id}", history_button(request_id, lang)))
    elif len(blocks[at]["elements"]) < 25:  # Slack's limit per actions block
        blocks[at]["elements"] = [*blocks[at]["elements"], history_button(request_id, lang)]
    return {**message, "blocks": blocks}


def entry_line(entry: TrailEntry, lang: str, tz: ZoneInfo) -> str:
    """When, who (a mention), what, from → to; the comment quoted below.

    The same facts as a line of `cr-bot history`, in the reader's language."""
    who = _who(entry.actor, lang)
    if entry.on_behalf_of:
        who += t(lang, "outcome.for", user=_who(entry.on_behalf_of, lang))
    key = f"history.action.{entry.action}"
    what = t(lang, key) if has_text(key) else escape(entry.action)
    change = ""
    if entry.from_status or entry.to_status:
        before = _status(entry.from_status, entry.action, lang) or "–"
        after = _status(entry.to_status, entry.action, lang) or "–"
        change = f" ({before} → {after})"
    line = t(
        lang,
        "history.line",
        when=fmt_datetime(entry.at, lang, tz),
        who=who,
        what=what,
        change=change,
    )
    if entry.comment:
        line += "\n>" + escape(clip(entry.comment, 500)).replace("\n", "\n>")
    return line


def history_modal(trail: Trail, lang: str, tz: ZoneInfo) -> dict[str, Any]:
    """The request in one line, then every entry, oldest first (as many as fit)."""
    status = t(lang, f"report.status.{trail.status}")
    head = t(lang, "history.head", id=trail.request_id, title=escape(trail.title), status=status)
    blocks: list[Block] = [section(head)]
    lines = [entry_line(e, lang, tz) for e in trail.entries] or [t(lang, "history.empty")]
    text = ""
    for line in lines:
        if text and len(text) + 2 + len(line) > SECTION_MAX:
            blocks.append(section(text))
            text = line
        else:
            text = f"{text}\n\n{line}" if text else line
    blocks.append(section(text))
    if len(blocks) > MAX_BLOCKS - 1:
        blocks = [*blocks[: MAX_BLOCKS - 2], section("…")]
    blocks.append(context(t(lang, "history.times", tz=str(tz))))
    return modal(
        ids.VIEW_HISTORY,
        t(lang, "history.title", id=trail.request_id),
        blocks,
        close=t(lang, "modal.close_only"),
    )


def _who(user: str, lang: str) -> str:
    if user == SYSTEM:
        return t(lang, "history.system")
    if user[:1] in ("U", "W") and user.isalnum():
        return f"<@{user}>"
    return escape(user)  # a purged name, say


def _status(status: str | None, action: str, lang: str) -> str | None:
    if not status:
        return None
    for key in (
        (f"claim.status.{status}", f"report.status.{status}")
        if action.startswith("claim")
        else (f"report.status.{status}", f"claim.status.{status}")
    ):
        if has_text(key):
            return t(lang, key)
    return escape(status)
