"""The joint reflection in the group DM (side by side per city), the day-45 question,
and the digest channel's "Aus der Reflexion": pure builders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.directory import Directory
from bot.domain.reflection import Lesson, Shared
from bot.domain.request import Summary
from bot.slack import ids
from bot.slack.blocks import (
    Block,
    actions,
    button,
    clip,
    context,
    escape,
    fields_section,
    input_block,
    modal,
    option,
    section,
)
from bot.slack.messages import Message, cities_line, plain_t
from bot.slack.search import lesson_text
from bot.slack.views import request_context, small_metadata
from bot.texts import t, tn

FIELD_TEXT = 600  # per answer in a side-by-side field (a field holds 2000)
FOLLOW_UP_ANSWERS = ("yes", "partly", "not_yet")


def _one(r: Shared, lang: str) -> str:
    lines = [f"<@{r.user_id}> · {t(lang, 'summary.rating', n=r.rating)}"]
    for key, text in (
        ("summary.worked", r.worked),
        ("summary.not_worked", r.not_worked),
        ("summary.will_apply", r.will_apply),
    ):
        if text:
            lines.append(f"_{t(lang, key)}:_ {escape(clip(' '.join(text.split()), FIELD_TEXT))}")
    return "\n".join(lines)


def joint_reflection(
    s: Summary,
    shared: Sequence[Shared],
    directory: Directory,
    lang: str,
    *,
    answered: int,
    asked: int,
) -> Message:
    """One message: the reflections shared with the participants, a column per city
    (the requester's city first)."""
    title = escape(clip(s.title, 150))
    blocks: list[Block] = [section(t(lang, "summary.reflections", id=s.id, title=title))]
    cities = [s.own_city_key, *s.partner_keys]
    fields = []
    for city in cities:
        mine = [r for r in shared if r.city_key == city]
        if mine:
            name = escape(directory.city_name(city))
            fields.append(clip(f"*{name}*\n" + "\n\n".join(_one(r, lang) for r in mine), 2000))
    blocks.append(fields_section(fields))
    if answered < asked:
        blocks.append(context(t(lang, "summary.reflections.some", n=answered, total=asked)))
    push = plain_t(lang, "summary.reflections.push", id=s.id, title=clip(s.title, 120))
    return {"text": push, "blocks": blocks}


def follow_up_question(s: Summary, lang: str, days: int = 45) -> Message:
    """Day 45 (or later, when the bot was away or it was a weekend): `days` since the end."""
    title = escape(clip(s.title, 150))
    buttons = [
        button(
            t(lang, f"followup.{a}"),
            ids.A_FOLLOW_UP,
            f"{s.id}:{a}",
            label=t(lang, "a11y.follow_up", id=s.id, answer=t(lang, f"followup.{a}")),
        )
        for a in FOLLOW_UP_ANSWERS
    ]
    return {
        "text": plain_t(lang, "followup.push", id=s.id, title=clip(s.title, 120)),
        "blocks": [
            section(t(lang, "followup.ask", id=s.id, title=title, days=days)),
            actions(f"followup_{s.id}", *buttons),
        ],
    }


def follow_up_modal(
    request_id: int,
    answer: str,
    lang: str,
    *,
    request: Summary | None = None,
    directory: Directory | None = None,
) -> dict[str, Any]:
    """The answer (the clicked one chosen) and a line; it names the request (its number at
    first, title, cities and dates after the check)."""
    choices = [option(t(lang, f"followup.{a}"), a) for a in FOLLOW_UP_ANSWERS]
    initial = next((c for c in choices if c["value"] == answer), choices[0])
    blocks = [
        request_context(request_id, lang, request, directory),
        input_block(
            ids.B_FOLLOW_UP,
            t(lang, "followup.modal.answer"),
            {
                "type": "radio_buttons",
                "action_id": ids.VALUE,
                "options": choices,
                "initial_option": initial,
            },
        ),
        input_block(
            ids.B_NOTE,
            t(lang, "followup.modal.note"),
            {"type": "plain_text_input", "action_id": ids.VALUE, "max_length": 300},
            optional=True,
        ),
    ]
    return modal(
        ids.VIEW_FOLLOW_UP,
        t(lang, "followup.modal.title"),
        blocks,
        submit=t(lang, "modal.reflect.submit"),
        close=t(lang, "modal.close"),
        private_metadata=small_metadata(id=request_id, lang=lang),
    )


def lessons_post(
    grouped: Sequence[tuple[Summary, Sequence[Lesson]]], directory: Directory, lang: str
) -> Message:
    """The digest channel's "Aus der Reflexion": the day's shared lessons, per exchange;
    all of `grouped` (the use case keeps a post within Slack's limits)."""
    blocks: list[Block] = [section(t(lang, "lessons.title"))]
    n = 0
    for s, lessons in grouped:
        head = t(
            lang,
            "lessons.request",
            id=s.id,
            title=escape(clip(s.title, 150)) if s.title else "–",
            cities=escape(cities_line(s, directory)),
        )
        lines = [f"> {lesson_text(lesson, lang)}" for lesson in lessons]
        n += len(lessons)
        blocks.append(section(head + "\n" + "\n".join(lines)))
    blocks.append(context(t(lang, "lessons.more")))
    return {"text": tn(lang, "lessons.push", n), "blocks": blocks}
