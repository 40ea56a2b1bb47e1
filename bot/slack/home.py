"""The Home tab view."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import participation, rules, timeline
from bot.domain.attention import Attention
from bot.domain.directory import Directory
from bot.domain.participation import Part
from bot.domain.privacy import PrivacyNotice
from bot.domain.request import Summary
from bot.domain.states import Status
from bot.slack import ids, messages
from bot.slack.attention import attention_blocks
from bot.slack.blocks import (
    Block,
    actions,
    button,
    context,
    divider,
    escape,
    header,
    section,
)
from bot.slack.budget import budget_block
from bot.slack.messages import (
    cancel_actions,
    certificate_button,
    cities_line,
    naming_label,
    reflect_button,
)
from bot.slack.messages.overdue import new_dates_actions
from bot.slack.targets import NamingTarget, RequestTarget
from bot.slack.views.directory import directory_button
from bot.texts import fmt_date, fmt_range, join_names, status_label, t

MAX_BLOCKS = 100


def _line(s: Summary, directory: Directory, lang: str) -> str:
    return (
        f"*#{s.id} {escape(s.title)}*\n"
        f"{escape(cities_line(s, directory))} · {fmt_range(s.date_from, s.date_to, lang)}"
    )


def next_step(
    s: Summary,
    directory: Directory,
    lang: str,
    waiting: Sequence[str] | None = None,
    referred: bool = False,
) -> str:
    """What happens next with my request, in one line; "" once it is closed; `waiting`: the
    partner cities still to name; `referred`: over budget, the coordinators decide."""
    return messages.next_step(s, directory, lang, waiting, referred)


def status_line(
    s: Summary,
    directory: Directory,
    lang: str,
    today: date | None,
    referred: bool = False,
    waiting: Sequence[str] | None = None,
) -> str:
    """My request's status as of `today`, and what happens next: an exchange whose last day
    has passed waits for its reflection, whatever its stored status still says; `referred`:
    over budget, the coordinators decide; `waiting`: the partner cities still to name."""
    if today is not None and timeline.is_over(s.status, s.date_to, today):
        label, step = t(lang, "phase.ended"), t(lang, "phase.ended.next")
    else:
        label = status_label(s.status, lang)
        step = next_step(s, directory, lang, waiting, referred)
    return f"_{label}_" + (f" – {step}" if step else "")


def home_view(
    data: Any,
    directory: Directory,
    lang: str,
    *,
    attention: Attention | None = None,
    tz: ZoneInfo | None = None,
    privacy: PrivacyNotice | None = None,
) -> dict[str, Any]:
    """New-request button; what waits for the coordination (`attention`: coordinators only;
    times shown in the network's `tz`); my requests; decisions and namings waiting for me;
    upcoming."""
    blocks: list[Block] = [
        header(t(lang, "home.title")),
        section(t(lang, "home.intro")),
        actions(
            "home_new",
            button(
                t(lang, "home.new"),
                ids.A_NEW_REQUEST,
                "new",
                label=t(lang, "a11y.new_request"),
                style="primary",
            ),
            button(
                t(lang, "search.button"),
                ids.A_SEARCH_OPEN,
                "search",
                label=t(lang, "a11y.search"),
            ),
            *([directory_button(lang)] if getattr(data, "coordinator", False) else []),
        ),
    ]
    if attention is not None:
        blocks += attention_blocks(attention, directory, lang, tz or ZoneInfo("UTC"))
    if data.to_decide:
        blocks += [divider(), section(f"*{t(lang, 'home.to_decide')}*")]
        for s in data.to_decide:
            blocks.append(
                section(
                    _line(s, directory, lang) + f"\n{t(lang, 'summary.by')} <@{s.requester_id}>"
                )
            )
            if s.id in data.budgets:
                blocks.append(budget_block(data.budgets[s.id], directory, lang))
            if s.id in data.referred and not data.coordinator:
                # Over budget the coordinators decide: the contact sees it, without buttons.
                coordinators = messages.mentions(directory.coordinators, lang)
                blocks.append(context(t(lang, "home.referred", coordinators=coordinators)))
                continue
            blocks.append(messages.decision_buttons(s, lang, f"home_decide_{s.id}"))
        _more(blocks, data.to_decide_total, len(data.to_decide), lang)
    if data.to_name:
        blocks += [divider(), section(f"*{t(lang, 'home.to_name')}*")]
        for s, city in data.to_name:
            blocks.append(
                section(
                    _line(s, directory, lang)
                    + "\n"
                    + t(lang, "home.name_for", city=escape(directory.city_name(city)))
                )
            )
            blocks.append(
                actions(
                    f"home_name_{s.id}_{city}",
                    button(
                        t(lang, "button.name_experts"),
                        ids.A_NAME_EXPERTS,
                        NamingTarget(s.id, s.version, city).value,
                        label=naming_label(s, directory, lang, city),
                        style="primary",
                    ),
                )
            )
    blocks += lapsed_blocks(data, directory, lang)
    today = getattr(data, "today", None)
    named = getattr(data, "named", {})
    blocks += part_blocks(data, directory, lang, today)
    blocks += deputy_blocks(data, lang)
    blocks += [divider(), section(f"*{t(lang, 'home.mine')}*")]
    if not data.mine:
        blocks.append(context(t(lang, "list.empty")))
    for s in data.mine:
        status = status_line(
            s, directory, lang, today, s.id in data.referred, data.waiting.get(s.id)
        )
        experts = named_line(named[s.id], directory, lang) if named.get(s.id) else ""
        blocks.append(section(_line(s, directory, lang) + f"\n{status}" + experts))
        if timeline.may_withdraw(s.status, s.date_to, today) if today else rules.is_open(s.status):
            blocks.append(cancel_actions(s, lang))
        elif rules.may_give_new_dates(s.status, s.decided_by):
            blocks.append(new_dates_actions(s, lang))
        elif s.status == Status.COMPLETED:
            blocks.append(actions(f"home_mine_{s.id}", certificate_button(s, lang)))
    _more(blocks, data.mine_total, len(data.mine), lang)
    blocks += [divider(), section(f"*{t(lang, 'home.upcoming')}*")]
    if not data.upcoming:
        blocks.append(context(t(lang, "upcoming.none")))
    for s in data.upcoming:
        blocks.append(section(_line(s, directory, lang)))
    _more(blocks, data.upcoming_total, len(data.upcoming), lang)
    # Last, and kept however long the tab: what the bot stores about the person.
    notice = context(messages.privacy_line(privacy or PrivacyNotice(), lang))
    return {"type": "home", "blocks": [*blocks[: MAX_BLOCKS - 2], divider(), notice]}


def lapsed_blocks(data: Any, directory: Directory, lang: str) -> list[Block]:
    """Coordinators: the requests that did not take place, each with *Hat doch
    stattgefunden* (whoever of them was told of it or not)."""
    lapsed = getattr(data, "lapsed", [])
    if not lapsed:
        return []
    blocks: list[Block] = [
        divider(),
        section(f"*{t(lang, 'home.lapsed')}*"),
        context(t(lang, "home.lapsed_hint")),
    ]
    for s in lapsed:
        blocks.append(section(_line(s, directory, lang)))
        blocks.append(actions(f"home_took_place_{s.id}", took_place_button(s, lang)))
    _more(blocks, data.lapsed_total, len(lapsed), lang)
    return blocks


def took_place_button(s: Summary, lang: str) -> dict[str, Any]:
    return button(
        t(lang, "button.took_place"),
        ids.A_MARK_MATCHED,
        RequestTarget(s.id, s.version).value,
        label=t(lang, "a11y.took_place", id=s.id),
    )


def named_line(named: Sequence[tuple[str, Sequence[str]]], directory: Directory, lang: str) -> str:
    """Which partner city has named whom, and which is still to name: one line."""
    cities = [
        f"{escape(directory.city_name(city))}: "
        + (messages.mentions(experts, lang) if experts else f"_{t(lang, 'home.named_none')}_")
        for city, experts in named
    ]
    return f"\n*{t(lang, 'home.experts')}:* " + " · ".join(cities)


def part_blocks(data: Any, directory: Directory, lang: str, today: date | None) -> list[Block]:
    """The exchanges this person was named expert for, each with its next step (and the
    button for it: reflect, the certificate)."""
    parts: list[Part] = getattr(data, "parts", [])
    if not parts:
        return []
    blocks: list[Block] = [divider(), section(f"*{t(lang, 'home.parts')}*")]
    for part in parts:
        s = part.request
        step = participation.next_step(part, today) if today else participation.CLOSED
        if today is not None and timeline.is_over(s.status, s.date_to, today):
            label = t(lang, "phase.ended")
        else:
            label = status_label(s.status, lang)
        waiting = [c for c, experts in getattr(data, "named", {}).get(s.id, ()) if not experts]
        cities = join_names([escape(directory.city_name(c)) for c in waiting], lang)
        role = t(
            lang,
            "home.part",
            city=escape(directory.city_name(part.city_key)),
            actor=f"<@{part.named_by}>",
        )
        line = f"_{label}_ – " + t(lang, f"part.step.{step}", cities=cities)
        blocks.append(section(_line(s, directory, lang) + f"\n{role}\n{line}"))
        buttons = []
        if step == participation.REFLECT:
            buttons.append(reflect_button(s, lang))
        if s.status == Status.COMPLETED:
            buttons.append(certificate_button(s, lang))
        if buttons:
            blocks.append(actions(f"home_part_{s.id}", *buttons))
    _more(blocks, getattr(data, "parts_total", 0), len(parts), lang)
    return blocks


def deputy_blocks(data: Any, lang: str) -> list[Block]:
    """Contacts and coordinators: their deputy (or absence) with buttons to set or end it,
    and whom they stand in for."""
    if not data.may_set_deputy and not data.standing_in:
        return []
    lines = []
    absence = data.absence
    if absence is not None and absence.deputy:
        until = fmt_date(absence.until, lang)
        lines.append(t(lang, "home.deputy_active", deputy=f"<@{absence.deputy}>", until=until))
    elif absence is not None:
        lines.append(t(lang, "home.away_active", until=fmt_date(absence.until, lang)))
    elif data.may_set_deputy:
        lines.append(t(lang, "home.deputy_none"))
    for other in data.standing_in:
        until = fmt_date(other.until, lang)
        lines.append(t(lang, "home.deputy_for", user=f"<@{other.user}>", until=until))
    blocks: list[Block] = [divider(), section(f"*{t(lang, 'home.deputy')}*\n" + "\n".join(lines))]
    if data.may_set_deputy:
        buttons = [
            button(
                t(lang, "button.deputy_set"),
                ids.A_DEPUTY_SET,
                "set",
                label=t(lang, "a11y.deputy_set"),
            )
        ]
        if absence is not None:
            buttons.append(
                button(
                    t(lang, "button.deputy_end"),
                    ids.A_DEPUTY_END,
                    "end",
                    label=t(lang, "a11y.deputy_end"),
                )
            )
        blocks.append(actions("home_deputy", *buttons))
    return blocks


def _more(blocks: list[Block], total: int, shown: int, lang: str) -> None:
    if total > shown:
        blocks.append(context(t(lang, "home.more", n=total - shown)))
