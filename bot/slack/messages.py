"""Message builders: pure functions from domain data to {"text", "blocks"}."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import rules
from bot.domain.budget import Money
from bot.domain.claims import ClaimState
from bot.domain.directory import Directory
from bot.domain.request import Summary, people_travelling
from bot.outbox.calls import PERMALINK
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


def request_filed(
    s: Summary, directory: Directory, lang: str, *, outcome: str | None = None, update: bool = False
) -> Message:
    """The requester's confirmation DM: the number, the current status and what comes next,
    with the way to withdraw while the request is open. `update`: the status changed since
    it was posted; `outcome` says what closed it."""
    city = escape(directory.city_name(s.own_city_key))
    if not update:
        intro = t(lang, "dm.filed", id=s.id, city=city)
        text = plain_t(lang, "dm.filed", id=s.id, city=city)
    elif rules.is_open(s.status):
        status, upcoming = status_label(s.status, lang), t(lang, f"next.{s.status}", city=city)
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
            confirm=confirm_dialog(
                t(lang, "confirm.cancel.title"),
                t(lang, "confirm.cancel.text", id=s.id),
                t(lang, "confirm.yes_cancel"),
                t(lang, "confirm.no"),
            ),
        ),
    )


def help_message(lang: str, unknown: str | None = None) -> Message:
    text, shown = t(lang, "help"), unmarked(t(lang, "help"))
    if unknown:
        word = escape(clip(unknown, 50))
        text = t(lang, "help.unknown", word=word) + "\n" + text
        shown = plain_t(lang, "help.unknown", word=word) + "\n" + shown
    return {"text": shown, "blocks": [section(text)]}


def plain_message(text: str, push_text: str | None = None) -> Message:
    """A message of one section; `push_text` when `text` carries markup."""
    return {"text": push_text or text, "blocks": [section(text)]}


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


def delivery_failed(request_id: int | None, method: str, error: str) -> Message:
    params = {"id": request_id or "–", "method": method, "error": error}  # a Slack error code
    text = t("de", "delivery.failed", **params)
    return {"text": plain_t("de", "delivery.failed", **params), "blocks": [section(text)]}


def decision_buttons(s: Summary, lang: str, block_id: str) -> Block:
    value = RequestTarget(s.id, s.version).value
    return actions(
        block_id,
        button(t(lang, "button.approve"), ids.A_APPROVE, value, style="primary"),
        button(t(lang, "button.decline"), ids.A_DECLINE, value, style="danger"),
        button(t(lang, "button.ask"), ids.A_ASK, value),
    )


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
    again = resubmitted or answer is not None
    key = "decide.again" if again else "decide.intro"
    intro = t(lang, key, id=s.id, user=f"<@{s.requester_id}>")
    return {
        "text": push(s, directory, lang, "push.decide_again" if again else "push.decide"),
        "blocks": [
            section(intro),
            *summary_blocks(s, directory, lang),
            *question_and_answer(lang, answer),
            decision_buttons(s, lang, f"decide_{s.id}_{s.version}"),
        ],
    }


def question_and_answer(lang: str, answer: tuple[str | None, str] | None) -> list[Block]:
    if answer is None:
        return []
    question, reply = answer
    qa = f"*{t(lang, 'decide.question')}*\n{quote(question or '–', 1200)}\n"
    qa += f"*{t(lang, 'decide.answer')}*\n{quote(reply, 1500)}"
    return [section(qa)]


def when(moment: datetime, lang: str, tz: ZoneInfo) -> str:
    """A Slack date token: each reader sees it in their own locale and time zone."""
    return date_token(moment, lang, tz)


def outcome_line(
    action: str, actor: str, moment: datetime, lang: str, tz: ZoneInfo, comment: str | None = None
) -> str:
    """ "Genehmigt von @x am …" — what closed a message with buttons."""
    text = t(lang, f"outcome.{action}", actor=f"<@{actor}>", when=when(moment, lang, tz))
    if comment:
        text += "\n" + quote(comment, 2500)
    return text


def closed_message(
    s: Summary, directory: Directory, lang: str, outcome: str, *extra: Block
) -> Message:
    """A message with buttons after the fact: the outcome on top, no buttons, no status
    (it is not updated again, so it must not say what will change)."""
    return {
        "text": push(s, directory, lang, "push.closed", status=status_label(s.status, lang)),
        "blocks": [
            section(outcome),
            *extra,
            *summary_blocks(s, directory, lang, with_question=False, with_status=False),
        ],
    }


def to_requester(
    s: Summary, directory: Directory, lang: str, key: str, *extra: Block, **params: object
) -> Message:
    """A DM to the requester about their request: the news (text `key`), then the request in
    short. The push text is the news without markup."""
    return {
        "text": plain_t(lang, key, id=s.id, **params),
        "blocks": [
            section(t(lang, key, id=s.id, **params)),
            *extra,
            *summary_blocks(s, directory, lang, with_question=False),
        ],
    }


def declined_for_requester(
    s: Summary, directory: Directory, lang: str, actor: str, reason: str
) -> Message:
    message = to_requester(
        s, directory, lang, "dm.declined", section(quote(reason or "–", 2800)), actor=f"<@{actor}>"
    )
    message["text"] = clip(f"{message['text']} {escape(clip(reason, 250))}", 300)
    return message


def question_for_requester(
    s: Summary, directory: Directory, lang: str, actor: str, question: str
) -> Message:
    value = RequestTarget(s.id, s.version).value
    message = to_requester(
        s,
        directory,
        lang,
        "dm.question",
        section(quote(question, 2800)),
        actions(
            f"answer_{s.id}_{s.version}",
            button(t(lang, "button.answer"), ids.A_ANSWER, value, style="primary"),
            button(t(lang, "button.edit"), ids.A_EDIT, value),
        ),
        actor=f"<@{actor}>",
    )
    message["text"] = plain_t(
        lang, "push.question", id=s.id, actor=f"<@{actor}>", question=escape(clip(question, 200))
    )
    return message


def question_answered(
    s: Summary,
    directory: Directory,
    lang: str,
    outcome: str,
    answer: tuple[str | None, str] | None,
) -> Message:
    """The requester's question DM after she answered (her question and answer stay) or
    edited the request."""
    return closed_message(s, directory, lang, outcome, *question_and_answer(lang, answer))


def naming_request(s: Summary, directory: Directory, lang: str, city_key: str) -> Message:
    """What the partner city's contact gets after approval: name the expert(s)."""
    value = NamingTarget(s.id, s.version, city_key).value
    city = escape(directory.city_name(city_key))
    text = t(
        lang, "naming.intro", id=s.id, city=city, own=escape(directory.city_name(s.own_city_key))
    )
    return {
        "text": push(s, directory, lang, "push.naming", city=city),
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
        "text": push(s, directory, lang, "push.coord_approved", actor=f"<@{actor}>"),
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
            context(t(lang, "coord.mark_matched_hint")),
        ],
    }


def mentions(users: Sequence[str], lang: str = "de") -> str:
    """@a, @b und @c (English: and)."""
    return join_names([f"<@{u}>" for u in users], lang)


def experts_by_city(
    directory: Directory, lang: str, named: Sequence[tuple[str, Sequence[str], str]]
) -> str:
    """One line per partner city: its experts and who named them."""
    return "\n".join(
        t(
            lang,
            "experts.line",
            city=escape(directory.city_name(city)),
            experts=mentions(experts, lang),
            contact=f"<@{contact}>",
        )
        for city, experts, contact in named
    )


def introduction(
    s: Summary,
    directory: Directory,
    lang: str,
    named: Sequence[tuple[str, Sequence[str], str]],
    notes: Sequence[tuple[str, str]] = (),
) -> Message:
    """The one group DM of requester, all experts and the contacts who named them: who,
    what, when, the question. `named`: (city, experts, contact); `notes`: (city, note)."""
    text = t(lang, "intro.text", requester=f"<@{s.requester_id}>", id=s.id)
    blocks = [
        section(text + "\n" + experts_by_city(directory, lang, named)),
        *summary_blocks(s, directory, lang, with_status=False),
    ]
    for city, note in notes:
        label = t(lang, "intro.note", city=escape(directory.city_name(city)))
        blocks.append(section(f"*{label}*\n{quote(note, 2800)}"))
    push_text = plain_t(lang, "push.intro", id=s.id, title=escape(clip(s.title, 120)))
    return {"text": push_text, "blocks": blocks}


def matched_for_requester(
    s: Summary,
    directory: Directory,
    lang: str,
    named: Sequence[tuple[str, Sequence[str], str]],
) -> Message:
    """All partner cities named their experts: who they are, and the link to the group DM
    (the outbox fills in PERMALINK once the group DM's introduction is posted)."""
    link = f"<{PERMALINK}|{t(lang, 'matched.link')}>"
    message = to_requester(
        s,
        directory,
        lang,
        "dm.matched",
        section(experts_by_city(directory, lang, named) + "\n" + link),
    )
    message["text"] = push(s, directory, lang, "push.matched")
    return message


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


def reminder(
    s: Summary, directory: Directory, lang: str, days: int, escalate_after: int
) -> Message:
    """To the contacts: the request waits; they decide right here (the same buttons)."""
    text = t(
        lang,
        "remind.contact",
        id=s.id,
        user=f"<@{s.requester_id}>",
        days=days,
        escalate=escalate_after,
    )
    return {
        "text": push(s, directory, lang, "push.reminder", days=days),
        "blocks": [
            section(text),
            *summary_blocks(s, directory, lang),
            decision_buttons(s, lang, f"remind_{s.id}_{s.version}"),
        ],
    }


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
    message["text"] = push(s, directory, lang, "push.escalation", days=days)
    return message


def reflection_prompt(s: Summary, lang: str) -> Message:
    title = escape(clip(s.title, 150))
    text = t(lang, "reflect.ask", id=s.id, title=title)
    return {
        "text": plain_t(lang, "reflect.ask", id=s.id, title=title),
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
