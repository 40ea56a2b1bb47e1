"""The requester's own messages about filing: the confirmation DM (updated as the status
changes), `/cr-request list`, help."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain import rules
from bot.domain.directory import Directory
from bot.domain.privacy import PrivacyNotice
from bot.domain.request import Summary
from bot.domain.states import Status
from bot.slack import ids
from bot.slack.blocks import (
    actions,
    button,
    clip,
    confirm_dialog,
    context,
    escape,
    section,
)
from bot.slack.messages.common import (
    Message,
    cities_line,
    mentions,
    plain_message,
    plain_t,
    privacy_line,
    summary_blocks,
    unmarked,
)
from bot.slack.targets import RequestTarget
from bot.texts import (
    fmt_date,
    fmt_range,
    join_names,
    status_label,
    t,
)


def next_step(
    s: Summary,
    directory: Directory,
    lang: str,
    waiting: Sequence[str] | None = None,
    referred: bool = False,
) -> str:
    """What happens next with the request, in one line ("" once it is closed). Approved:
    which partner cities are still to name their experts (`waiting`; all of them if not
    known); `referred`: over budget, the coordinators decide (and are named)."""
    city = escape(directory.city_name(s.own_city_key))
    if referred and s.status in rules.DECIDABLE:
        return t(lang, "next.referred", coordinators=mentions(directory.coordinators, lang))
    if s.status == Status.APPROVED:
        cities = s.partner_keys if waiting is None else waiting
        names = join_names([escape(directory.city_name(c)) for c in cities], lang)
        date = fmt_date(s.date_from, lang)
        return t(lang, "next.approved_waiting", cities=names, date=date)
    return t(lang, f"next.{s.status}", city=city)


def request_filed(
    s: Summary,
    directory: Directory,
    lang: str,
    *,
    outcome: str | None = None,
    update: bool = False,
    referred: bool = False,
    waiting: Sequence[str] | None = None,
) -> Message:
    """The requester's confirmation DM: the number, the current status and what comes next,
    with the way to withdraw while the request is open. `update`: the status changed since
    it was posted; `outcome` says what closed it; `referred`: the coordinators decide;
    `waiting`: the partner cities still to name their experts."""
    city = escape(directory.city_name(s.own_city_key))
    if not update:
        intro = t(lang, "dm.filed", id=s.id, city=city)
        text = plain_t(lang, "dm.filed", id=s.id, city=city)
    elif rules.is_open(s.status):
        status = status_label(s.status, lang)
        upcoming = next_step(s, directory, lang, waiting, referred)
        intro = t(lang, "confirm.now", id=s.id, status=status, next=upcoming)
        text = plain_t(lang, "confirm.now", id=s.id, status=status, next=upcoming)
    else:
        intro = t(lang, "confirm.final", id=s.id, status=status_label(s.status, lang))
        text = plain_t(lang, "confirm.final", id=s.id, status=status_label(s.status, lang))
    blocks = [section(intro)]
    if outcome:
        blocks.append(section(outcome))
    blocks += summary_blocks(s, directory, lang, with_question=not update)
    if rules.is_open(s.status):
        blocks.append(cancel_actions(s, lang))
    return {"text": text, "blocks": blocks}


def cancel_actions(s: Summary, lang: str) -> dict[str, Any]:
    return actions(
        f"cancel_{s.id}",
        button(
            t(lang, "button.cancel"),
            ids.A_CANCEL,
            RequestTarget(s.id, s.version).value,
            label=t(lang, "a11y.cancel", id=s.id),
            confirm=confirm_dialog(
                t(lang, "confirm.cancel.title"),
                t(lang, "confirm.cancel.text", id=s.id),
                t(lang, "confirm.yes_cancel"),
                t(lang, "confirm.no"),
            ),
        ),
    )


def file_again_button(s: Summary, lang: str, *, primary: bool = True) -> dict[str, Any]:
    """*Erneut einreichen*: the form again, with everything but the dates filled in."""
    return button(
        t(lang, "button.file_again"),
        ids.A_FILE_AGAIN,
        RequestTarget(s.id, s.version).value,
        label=t(lang, "a11y.file_again", id=s.id),
        style="primary" if primary else None,
    )


def file_again_blocks(s: Summary, lang: str) -> list[dict[str, Any]]:
    """After a decline or a lapse: the form again, with everything but the dates filled in."""
    return [
        context(t(lang, "file_again.hint")),
        actions(f"file_again_{s.id}", file_again_button(s, lang)),
    ]


def help_message(
    lang: str, unknown: str | None = None, privacy: PrivacyNotice | None = None
) -> Message:
    """Usage, and the privacy line under it (what is stored, how long, where to read more)."""
    text, shown = t(lang, "help"), unmarked(t(lang, "help"))
    if unknown:
        word = escape(clip(unknown, 50))
        text = t(lang, "help.unknown", word=word) + "\n" + text
        shown = plain_t(lang, "help.unknown", word=word) + "\n" + shown
    return {
        "text": shown,
        "blocks": [section(text), context(privacy_line(privacy or PrivacyNotice(), lang))],
    }


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
        if rules.is_open(s.status):
            blocks.append(cancel_actions(s, lang))
    if total > len(summaries):
        blocks.append(context(t(lang, "list.more", n=total - len(summaries))))
    return {"text": plain_t(lang, "list.title"), "blocks": blocks[:50]}
