"""Message builders: pure functions from domain data to {"text", "blocks"}."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import rules
from bot.domain.directory import Directory
from bot.domain.request import Summary, people_travelling
from bot.i18n import (
    date_token,
    direction_label,
    fmt_money,
    fmt_range,
    format_label,
    join_names,
    status_label,
    t,
    travellers_text,
)
from bot.slack import ids
from bot.slack.blocks import (
    Block,
    actions,
    button,
    clip,
    confirm_dialog,
    context,
    escape,
    fields_section,
    section,
)
from bot.slack.targets import NamingTarget, RequestTarget

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
        f"*{t(lang, 'summary.people')}*\n{travellers_text(people_travelling(s), lang)}",
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
            RequestTarget(s.id, s.version).value,
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
        if rules.is_open(s.status):
            blocks.append(cancel_actions(s, lang))
    if total > len(summaries):
        blocks.append(context(t(lang, "list.more", n=total - len(summaries))))
    return {"text": t(lang, "list.title").replace("*", ""), "blocks": blocks[:50]}


def delivery_failed(request_id: int | None, method: str, error: str) -> Message:
    text = t("de", "delivery.failed", id=request_id or "–", method=method, error=error)
    return {"text": text, "blocks": [section(text)]}


def decision_request(
    s: Summary,
    directory: Directory,
    lang: str,
    *,
    answer: tuple[str | None, str] | None = None,
    resubmitted: bool = False,
) -> Message:
    """What a contact of the requester's city gets: the request and the three buttons.

    `answer` is (question, answer) when the requester answered a question.
    """
    value = RequestTarget(s.id, s.version).value
    key = "decide.again" if resubmitted or answer else "decide.intro"
    intro = t(lang, key, id=s.id, user=f"<@{s.requester_id}>")
    extra: list[Block] = []
    if answer:
        question, reply = answer
        qa = f"*{t(lang, 'decide.question')}*\n>{escape(clip(question or '–', 1200))}\n"
        qa += f"*{t(lang, 'decide.answer')}*\n>{escape(clip(reply, 1500))}"
        extra.append(section(qa))
    return {
        "text": fallback_text(s, lang),
        "blocks": [
            section(intro),
            *summary_blocks(s, directory, lang),
            *extra,
            actions(
                f"decide_{s.id}_{s.version}",
                button(t(lang, "button.approve"), ids.A_APPROVE, value, style="primary"),
                button(t(lang, "button.decline"), ids.A_DECLINE, value, style="danger"),
                button(t(lang, "button.ask"), ids.A_ASK, value),
            ),
        ],
    }


def when(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """A Slack date token: each reader sees it in their own locale and time zone."""
    return date_token(moment, lang, tz)


def outcome_line(
    action: str, actor: str, moment: datetime, lang: str, tz: ZoneInfo, comment: str | None = None
) -> str:
    """ "Genehmigt von @x am …" — what closed a message with buttons."""
    text = t(lang, f"outcome.{action}", actor=f"<@{actor}>", when=when(moment, lang, tz))
    if comment:
        text += "\n>" + escape(clip(comment, 2500)).replace("\n", "\n>")
    return text


def closed_message(s: Summary, directory: Directory, lang: str, outcome: str) -> Message:
    """A decision or naming message after the fact: the outcome on top, no buttons."""
    return {
        "text": fallback_text(s, lang),
        "blocks": [section(outcome), *summary_blocks(s, directory, lang, with_question=False)],
    }


def to_requester(s: Summary, directory: Directory, lang: str, text: str, *extra: Block) -> Message:
    """A DM to the requester about their request: the news, then the request in short."""
    return {
        "text": clip(text.replace("*", ""), 300),
        "blocks": [section(text), *extra, *summary_blocks(s, directory, lang, with_question=False)],
    }


def question_for_requester(
    s: Summary, directory: Directory, lang: str, actor: str, question: str
) -> Message:
    value = RequestTarget(s.id, s.version).value
    text = t(lang, "dm.question", id=s.id, actor=f"<@{actor}>")
    quote = ">" + escape(clip(question, 2800)).replace("\n", "\n>")
    return to_requester(
        s,
        directory,
        lang,
        text,
        section(quote),
        actions(
            f"answer_{s.id}_{s.version}",
            button(t(lang, "button.answer"), ids.A_ANSWER, value, style="primary"),
            button(t(lang, "button.edit"), ids.A_EDIT, value),
        ),
    )


def naming_request(s: Summary, directory: Directory, lang: str, city_key: str) -> Message:
    """What the partner city's contact gets after approval: name the expert(s)."""
    value = NamingTarget(s.id, s.version, city_key).value
    text = t(
        lang,
        "naming.intro",
        id=s.id,
        city=escape(directory.city_name(city_key)),
        own=escape(directory.city_name(s.own_city_key)),
    )
    return {
        "text": fallback_text(s, lang),
        "blocks": [
            section(text),
            *summary_blocks(s, directory, lang),
            actions(
                f"name_{s.id}_{city_key}",
                button(t(lang, "button.name_experts"), ids.A_NAME_EXPERTS, value, style="primary"),
            ),
        ],
    }


def approved_for_coordinators(s: Summary, directory: Directory, lang: str, actor: str) -> Message:
    text = t(lang, "coord.approved", id=s.id, actor=f"<@{actor}>")
    return {
        "text": fallback_text(s, lang),
        "blocks": [
            section(text),
            *summary_blocks(s, directory, lang, with_question=False),
            actions(
                f"match_{s.id}",
                button(
                    t(lang, "button.mark_matched"),
                    ids.A_MARK_MATCHED,
                    RequestTarget(s.id, s.version).value,
                ),
            ),
        ],
    }


def introduction(
    s: Summary,
    directory: Directory,
    lang: str,
    contact: str,
    experts: list[str],
    note: str | None,
) -> Message:
    """The group DM of requester, experts and contact: who, what, when, the question."""
    people = join_names([f"<@{e}>" for e in experts], lang)
    text = t(
        lang,
        "intro.text",
        requester=f"<@{s.requester_id}>",
        experts=people,
        contact=f"<@{contact}>",
        id=s.id,
    )
    blocks = [section(text), *summary_blocks(s, directory, lang)]
    if note:
        blocks.append(section(f"*{t(lang, 'intro.note')}*\n{escape(clip(note, 2800))}"))
    return {"text": clip(text.replace("*", ""), 300), "blocks": blocks}


def refusal_text(key: str, params: dict[str, object], lang: str, tz: ZoneInfo) -> str:
    """A Refused rendered for the person: people as mentions, times as date tokens."""
    shown: dict[str, object] = {}
    for name, value in params.items():
        if isinstance(value, datetime):
            shown[name] = when(value, lang, tz)
        elif name in ("actor", "user") and isinstance(value, str) and value:
            shown[name] = f"<@{value}>" if value != "system" else "cr-bot"
        elif name == "status" and isinstance(value, str):
            shown[name] = status_label(value, lang)
        else:
            shown[name] = value
    return t(lang, key, **shown)


def reminder(s: Summary, lang: str, days: int) -> Message:
    text = t(
        lang,
        "remind.contact",
        id=s.id,
        title=escape(clip(s.title, 150)),
        user=f"<@{s.requester_id}>",
        days=days,
    )
    return plain_message(text)


def escalation(s: Summary, directory: Directory, lang: str, days: int) -> Message:
    """To the coordinators: the request is stuck; they may decide themselves."""
    contacts = join_names([f"<@{u}>" for u in directory.contacts_of(s.own_city_key)], lang) or "–"
    text = t(
        lang,
        "remind.escalate",
        id=s.id,
        user=f"<@{s.requester_id}>",
        days=days,
        city=escape(directory.city_name(s.own_city_key)),
        contacts=contacts,
    )
    message = decision_request(s, directory, lang)
    message["blocks"][0] = section(text)
    return message


def reflection_prompt(s: Summary, lang: str) -> Message:
    text = t(lang, "reflect.ask", id=s.id, title=escape(clip(s.title, 150)))
    return {
        "text": clip(text.replace("*", ""), 300),
        "blocks": [
            section(text),
            actions(
                f"reflect_{s.id}",
                button(
                    t(lang, "button.reflect"),
                    ids.A_REFLECT,
                    RequestTarget(s.id, s.version).value,
                    style="primary",
                ),
            ),
        ],
    }
