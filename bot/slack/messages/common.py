"""What every message is built of: the request at a glance, push texts, quotes, mentions,
date tokens, refusals; and the type `Message` ({"text", "blocks"})."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.budget import Money
from bot.domain.claims import ClaimState
from bot.domain.directory import Directory
from bot.domain.privacy import PrivacyNotice
from bot.domain.request import Summary, people_travelling
from bot.outbox.calls import PERMALINK as PERMALINK  # the linked message's permalink goes there
from bot.slack.blocks import (
    clip,
    escape,
    fields_section,
    section,
)
from bot.texts import (
    date_token,
    direction_label,
    fmt_cents,
    fmt_money,
    fmt_range,
    format_label,
    join_names,
    status_label,
    t,
    tn,
    travellers_text,
)

Message = dict[str, Any]
_LEADING_EMOJI = re.compile(r"^:[a-z0-9_+-]+:\s*")


def cities_line(s: Summary, directory: Directory) -> str:
    partners = ", ".join(directory.city_name(k) for k in s.partner_keys)
    return f"{directory.city_name(s.own_city_key)} → {partners}"


def unmarked(template: str) -> str:
    """A text template without our markup: no `*`, no leading emoji code."""
    return _LEADING_EMOJI.sub("", template.replace("*", ""))


def plain_t(lang: str, key: str, **params: object) -> str:
    """A text as a push notification shows it: our markup left out (params are filled in
    afterwards, so what people typed keeps its characters); at most 300 characters."""
    template = unmarked(t(lang, key))
    return clip(template.format(**params) if params else template, 300)


def privacy_line(notice: PrivacyNotice, lang: str) -> str:
    """One short line: what the bot stores, for how long, how to get a copy, where to read
    more (the link only when a privacy page is configured)."""
    kept = notice.kept_for
    parts = [
        t(lang, "privacy.stored"),
        t(lang, "privacy.kept", age=tn(lang, f"privacy.age.{kept.unit}", kept.amount))
        if kept
        else t(lang, "privacy.kept_open"),
        t(lang, "privacy.export"),
    ]
    if notice.url:
        url = notice.url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E")
        parts.append(t(lang, "privacy.link", url=url.replace("|", "%7C")))
    return " ".join(parts)


def naming_label(s: Summary, directory: Directory, lang: str, city_key: str) -> str:
    """A naming button's label for a screen reader: the request and the city (plain text)."""
    return t(lang, "a11y.name_experts", id=s.id, city=directory.city_name(city_key))


def push(s: Summary, directory: Directory, lang: str, key: str, **params: object) -> str:
    """The push text of a message about a request: what happened or is asked, then which
    request (number, title, cities), so it stands alone on a lock screen."""
    return plain_t(
        lang,
        key,
        id=s.id,
        title=escape(clip(s.title, 120)),
        cities=escape(cities_line(s, directory)),
        **params,
    )


def quote(text: str, limit: int) -> str:
    """What a person typed, as a quote."""
    return ">" + escape(clip(text, limit)).replace("\n", "\n>")


def summary_blocks(
    s: Summary,
    directory: Directory,
    lang: str,
    *,
    with_question: bool = True,
    with_status: bool = True,
) -> list[dict[str, Any]]:
    """The request at a glance: title, people, cities, topic, format, dates.

    Messages that are not updated any more leave the status out, so it never goes stale.
    """
    fields = [
        f"*{t(lang, 'summary.by')}*\n<@{s.requester_id}>",
        f"*{t(lang, 'summary.cities')}*\n{escape(cities_line(s, directory))}",
        f"*{t(lang, 'summary.topic')}*\n{escape(directory.topic_label(s.topic_key, lang))}",
        f"*{t(lang, 'summary.format')}*\n{format_label(s.format, lang)} · "
        f"{direction_label(s.direction, lang)}",
        f"*{t(lang, 'summary.when')}*\n{fmt_range(s.date_from, s.date_to, lang)}",
        f"*{t(lang, 'summary.people')}*\n{travellers_text(people_travelling(s), lang)}",
        f"*{t(lang, 'summary.cost')}*\n{fmt_money(s.cost_eur, lang)}",
    ]
    if with_status:
        fields.append(f"*{t(lang, 'summary.status')}*\n{status_label(s.status, lang)}")
    blocks = [
        section(f"*{t(lang, 'summary.request', id=s.id)}: {escape(s.title)}*"),
        fields_section(fields),
    ]
    if with_question:
        blocks.append(section(f"*{t(lang, 'summary.question')}*\n{escape(s.question)}"))
        if s.goals:
            blocks.append(section(f"*{t(lang, 'summary.goals')}*\n{escape(s.goals)}"))
    return blocks


def plain_message(text: str, push_text: str | None = None) -> Message:
    """A message of one section; `push_text` when `text` carries markup."""
    return {"text": push_text or text, "blocks": [section(text)]}


def when(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """A Slack date token: each reader sees it in their own locale and time zone."""
    return date_token(moment, lang, tz)


def mentions(users: Sequence[str], lang: str = "de") -> str:
    """@a, @b und @c (English: and)."""
    return join_names([f"<@{u}>" for u in users], lang)


def refusal_text(key: str, params: dict[str, object], lang: str, tz: ZoneInfo) -> str:
    """A Refused rendered for the person: people as mentions, times as date tokens."""
    shown: dict[str, object] = {}
    for name, value in params.items():
        if isinstance(value, datetime):
            shown[name] = when(value, lang, tz)
        elif isinstance(value, Money):
            shown[name] = fmt_cents(value.cents, lang)
        elif isinstance(value, ClaimState):
            shown[name] = t(lang, f"claim.status.{value}")
        elif name in ("actor", "user") and isinstance(value, str) and value:
            shown[name] = f"<@{value}>" if value != "system" else "cr-bot"
        elif name == "status" and isinstance(value, str):
            shown[name] = status_label(value, lang)
        else:
            shown[name] = value
    return t(lang, key, **shown)


def delivery_failed(request_id: int | None, method: str, error: str) -> Message:
    params = {"id": request_id or "–", "method": method, "error": error}  # a Slack error code
    text = t("de", "delivery.failed", **params)
    return {"text": plain_t("de", "delivery.failed", **params), "blocks": [section(text)]}
