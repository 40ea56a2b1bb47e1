"""When nothing happens in time: the partner cities reminded to name their experts, the
coordinators asked to name them, and everybody told that an exchange did not take place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.domain.directory import Directory
from bot.domain.request import Summary
from bot.slack import ids
from bot.slack.blocks import Block, actions, button, clip, context, escape, section
from bot.slack.messages.common import Message, naming_label, push, summary_blocks
from bot.slack.messages.decision import decision_buttons
from bot.slack.messages.filing import file_again_blocks, file_again_button
from bot.slack.targets import NamingTarget, RequestTarget
from bot.texts import fmt_date, fmt_range, join_names, t


def city_names(directory: Directory, city_keys: Sequence[str], lang: str) -> str:
    return join_names([escape(directory.city_name(c)) for c in city_keys], lang)


def _naming_buttons(
    s: Summary, directory: Directory, lang: str, cities: Sequence[str]
) -> list[Block]:
    """One naming button per partner city (each in its own block: one action per block)."""
    return [
        actions(
            f"name_{s.id}_{city}",
            button(
                t(lang, "button.name_experts_for", city=escape(directory.city_name(city))),
                ids.A_NAME_EXPERTS,
                NamingTarget(s.id, s.version, city).value,
                label=naming_label(s, directory, lang, city),
                style="primary",
            ),
        )
        for city in cities
    ]


def naming_reminder(
    s: Summary, directory: Directory, lang: str, cities: Sequence[str], days: int, escalate: int
) -> Message:
    """To a partner city's naming contacts: the experts are still missing; name them here."""
    names = city_names(directory, cities, lang)
    params = {"days": days, "date": fmt_date(s.date_from, lang)}
    text = t(
        lang,
        "naming.remind",
        id=s.id,
        user=f"<@{s.requester_id}>",
        city=names,
        escalate=escalate,
        **params,
    )
    return {
        "text": push(s, directory, lang, "push.naming_reminder", city=names, days=days),
        "blocks": [
            section(text),
            *summary_blocks(s, directory, lang),
            *_naming_buttons(s, directory, lang, cities),
        ],
    }


def naming_escalation(
    s: Summary, directory: Directory, lang: str, missing: Sequence[str], days: int
) -> Message:
    """To the coordinators: a partner city has not named its experts; they may name them."""
    names = city_names(directory, missing, lang)
    asked = join_names(
        [
            f"<@{u}>"
            for city in missing
            for u in dict.fromkeys(directory.naming_contacts(city, s.topic_key))
        ],
        lang,
    )
    text = t(
        lang,
        "naming.escalate",
        id=s.id,
        user=f"<@{s.requester_id}>",
        missing=names,
        days=days,
        contacts=asked or "–",
        date=fmt_date(s.date_from, lang),
    )
    return {
        "text": push(s, directory, lang, "push.naming_escalation", missing=names, days=days),
        "blocks": [
            section(text),
            *summary_blocks(s, directory, lang),
            *_naming_buttons(s, directory, lang, missing),
        ],
    }


def lapse_reason(s: Summary, directory: Directory, lang: str, missing: Sequence[str]) -> str:
    """Why it did not take place: undecided on its first day, or experts missing."""
    day = fmt_date(s.date_from, lang)
    if not missing:
        return t(lang, "lapse.reason_undecided", date=day)
    return t(lang, "lapse.reason_unnamed", date=day, missing=city_names(directory, missing, lang))


def lapsed_message(
    s: Summary,
    directory: Directory,
    lang: str,
    key: str,
    reason: str,
    *,
    button_for: bool = False,
    new_dates: bool = False,
) -> Message:
    """The news that it did not take place (`key`: lapse.requester, .contact, .coordinator),
    with the request in short; a coordinator's copy offers to mark it as having taken place,
    the requester's of one that lapsed undecided to give it new dates."""
    params = {
        "id": s.id,
        "title": escape(clip(s.title, 120)),
        "user": f"<@{s.requester_id}>",
        "reason": reason,
        "city": escape(directory.city_name(s.own_city_key)),
    }
    blocks: list[Block] = [
        section(t(lang, key, **params)),
        *summary_blocks(s, directory, lang, with_question=False, with_status=False),
    ]
    if new_dates:
        # Both ways back, the same request with new dates first: one row of buttons.
        new = new_dates_actions(s, lang)
        new["elements"].append(file_again_button(s, lang, primary=False))
        blocks += [new, context(t(lang, "file_again.hint"))]
    elif key.startswith("lapse.requester"):
        blocks += file_again_blocks(s, lang)
    if button_for:
        blocks.append(
            actions(
                f"took_place_{s.id}",
                button(
                    t(lang, "button.took_place"),
                    ids.A_MARK_MATCHED,
                    RequestTarget(s.id, s.version).value,
                    label=t(lang, "a11y.took_place", id=s.id),
                ),
            )
        )
    push_key = f"push.{key.replace('.', '_')}"
    return {
        "text": push(s, directory, lang, push_key, reason=plain_reason(reason)),
        "blocks": blocks,
    }


def plain_reason(reason: str) -> str:
    return reason.replace("*", "")


def new_dates_actions(s: Summary, lang: str) -> Block:
    """*Neue Daten eintragen* for a request that lapsed undecided (its requester's)."""
    return actions(
        f"new_dates_{s.id}",
        button(
            t(lang, "button.new_dates"),
            ids.A_NEW_DATES,
            RequestTarget(s.id, s.version).value,
            style="primary",
            label=t(lang, "a11y.new_dates", id=s.id),
        ),
    )


def _dates(s: Summary, before: tuple[date, date], lang: str) -> dict[str, str]:
    return {
        "dates": fmt_range(s.date_from, s.date_to, lang),
        "before": fmt_range(before[0], before[1], lang),
    }


def new_dates_decision(
    s: Summary, directory: Directory, lang: str, before: tuple[date, date]
) -> Message:
    """To the deciders: the request that lapsed undecided is back with new dates."""
    dates = _dates(s, before, lang)
    intro = t(lang, "decide.new_dates", id=s.id, user=f"<@{s.requester_id}>", **dates)
    return {
        "text": push(s, directory, lang, "push.decide_new_dates", dates=dates["dates"]),
        "blocks": [
            section(intro),
            *summary_blocks(s, directory, lang),
            decision_buttons(s, lang, f"decide_{s.id}_{s.version}"),
        ],
    }


def new_dates_news(
    s: Summary, directory: Directory, lang: str, before: tuple[date, date]
) -> Message:
    """To whoever held a message about it (a coordinator's lapse news): new dates, decided
    again by the city's contacts; nothing for them to do."""
    dates = _dates(s, before, lang)
    city = escape(directory.city_name(s.own_city_key))
    text = t(
        lang,
        "dm.new_dates",
        id=s.id,
        title=escape(clip(s.title, 120)),
        user=f"<@{s.requester_id}>",
        city=city,
        **dates,
    )
    return {
        "text": push(s, directory, lang, "push.new_dates", dates=dates["dates"], city=city),
        "blocks": [section(text), *summary_blocks(s, directory, lang, with_question=False)],
    }
