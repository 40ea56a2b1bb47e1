"""The agreement in the group DM's introduction: goals, what the host side offers, dates,
place, and who confirmed it (one button for every participant)."""

from __future__ import annotations

from bot.domain.agreement import Agreement
from bot.domain.directory import Directory
from bot.domain.request import Summary
from bot.domain.rules import AGREED
from bot.slack import ids
from bot.slack.blocks import Block, actions, button, context, escape, section
from bot.texts import fmt_range, join_names, status_label, t

QUOTE_MAX = 1000


def place(s: Summary, directory: Directory, lang: str) -> str:
    if "online" in (s.format, s.direction):
        return t(lang, "agreement.online")
    if s.direction == "invite":
        return directory.city_name(s.own_city_key)
    return join_names([directory.city_name(k) for k in s.partner_keys], lang)


def _quote(text: str) -> str:
    lines = escape(text[:QUOTE_MAX]).splitlines() or [""]
    return "\n".join(f"> {line}" for line in lines)


def agreement_blocks(a: Agreement, directory: Directory, lang: str) -> list[Block]:
    s = a.request
    lines = [
        t(lang, "agreement.title"),
        t(lang, "agreement.goals", requester=f"<@{s.requester_id}>"),
    ]
    lines.append(_quote(s.goals) if s.goals else t(lang, "agreement.no_goals"))
    for city, offer in a.offers:
        lines += [t(lang, "agreement.offer", city=escape(directory.city_name(city))), _quote(offer)]
    lines.append(t(lang, "agreement.when", dates=fmt_range(s.date_from, s.date_to, lang)))
    lines.append(t(lang, "agreement.where", place=escape(place(s, directory, lang))))
    blocks: list[Block] = [section("\n".join(lines))]
    waiting = [p for p in a.participants if p not in a.confirmed]
    mentions = [f"<@{p}>" for p in a.confirmed]
    if s.status not in AGREED:  # withdrawn (or closed otherwise): nothing left to confirm
        closed = t(lang, "agreement.closed", status=status_label(s.status, lang))
        if a.confirmed:
            closed += "\n" + t(lang, "agreement.confirmed", people=join_names(mentions, lang))
        blocks.append(context(closed))
        return blocks
    if not waiting:
        blocks.append(context(t(lang, "agreement.all", people=join_names(mentions, lang))))
        return blocks
    status = []
    if a.confirmed:
        status.append(t(lang, "agreement.confirmed", people=join_names(mentions, lang)))
    status.append(
        t(lang, "agreement.waiting", people=join_names([f"<@{p}>" for p in waiting], lang))
    )
    blocks.append(context(t(lang, "agreement.ask") + "\n" + "\n".join(status)))
    blocks.append(
        actions(
            f"agreement_{s.id}",
            button(
                t(lang, "agreement.confirm"),
                ids.A_CONFIRM_AGREEMENT,
                str(s.id),
                label=t(lang, "a11y.confirm_agreement", id=s.id),
                style="primary",
            ),
        )
    )
    return blocks
