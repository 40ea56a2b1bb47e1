"""Search results and expert lists: pure builders (a private message, or the search modal).

The "more" button carries the next page's offset and the words searched for, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain import timeline
from bot.domain.directory import Directory
from bot.domain.search import QUERY_MAX
from bot.slack import ids
from bot.slack.blocks import (
    Block,
    actions,
    button,
    clip,
    context,
    escape,
    input_block,
    modal,
    plain,
    section,
)
from bot.slack.messages import Message, cities_line
from bot.slack.views import small_metadata
from bot.texts import fmt_range, join_names, t, tn
from bot.usecases.search import ExpertCount, Found, Hit, Lesson

LESSON_MAX = 280


@dataclass(frozen=True)
class SearchPage:
    """The value of a "more" button: where the next page starts, and the words."""

    offset: int
    query: str

    @property
    def value(self) -> str:
        return f"{self.offset}|{self.query[:QUERY_MAX]}"

    @classmethod
    def parse(cls, value: object) -> SearchPage | None:
        if not isinstance(value, str) or "|" not in value:
            return None
        offset, query = value.split("|", 1)
        if not offset.isdigit() or len(offset) > 6:
            return None
        return cls(int(offset), query[:QUERY_MAX])


def _who(lesson: Lesson, lang: str) -> str:
    return f"<@{lesson.user_id}>" if lesson.user_id else t(lang, "search.lesson.anonymous")


def lesson_text(lesson: Lesson, lang: str) -> str:
    """What a reflection taught, in one line, each part labelled as in the joint reflection
    (what they will apply first); mrkdwn, what people typed escaped."""
    parts = [
        (key, " ".join(text.split()))
        for key, text in (
            ("summary.will_apply", lesson.will_apply),
            ("summary.worked", lesson.worked),
            ("summary.not_worked", lesson.not_worked),
        )
        if text and text.strip()
    ]
    room = LESSON_MAX // max(len(parts), 1)
    return " · ".join(f"_{t(lang, key)}:_ {escape(clip(text, room))}" for key, text in parts)


def people_counts(experts: list[ExpertCount], lang: str) -> str:
    return join_names(
        [f"<@{e.user_id}> ({tn(lang, 'experts.exchanges', e.exchanges)})" for e in experts], lang
    )


def hit_blocks(hit: Hit, directory: Directory, lang: str, today: date | None = None) -> list[Block]:
    """One result; its status as of `today` (an exchange whose last day passed waits for
    its reflection, one not ready on its first day did not take place)."""
    s = hit.request
    title = escape(s.title) if s.title else "–"
    shown = t(lang, timeline.status_key(s.status, s.date_from, s.date_to, today))
    lines = [
        f"*#{s.id} {title}* · _{shown}_",
        f"{escape(cities_line(s, directory))} · {fmt_range(s.date_from, s.date_to, lang)}",
        f"{t(lang, 'summary.topic')}: {escape(directory.topic_label(s.topic_key, lang))}",
    ]
    if hit.experts:
        named = [f"<@{user}> ({escape(directory.city_name(city))})" for city, user in hit.experts]
        lines[-1] += f" · {t(lang, 'search.experts')}: {join_names(named, lang)}"
    blocks = [section("\n".join(lines))]
    for lesson in hit.lessons:
        text = lesson_text(lesson, lang)
        blocks.append(context(t(lang, "search.lesson", text=text, who=_who(lesson, lang))))
    return blocks


def result_blocks(found: Found, directory: Directory, lang: str) -> list[Block]:
    """The page of results, the experts of their topics, and the "more" button."""
    query = escape(clip(found.query, 100))
    if not found.hits:
        return [section(t(lang, "search.none", query=query))]
    first, last = found.offset + 1, found.offset + len(found.hits)
    page = t(lang, "search.page_more" if found.more else "search.page", first=first, last=last)
    blocks: list[Block] = [context(page)]
    for hit in found.hits:
        blocks += hit_blocks(hit, directory, lang, found.today)
    for topic, experts in found.topic_experts.items():
        label = escape(directory.topic_label(topic, lang))
        blocks.append(
            context(
                t(lang, "search.topic_experts", topic=label, people=people_counts(experts, lang))
            )
        )
    if found.more:
        more = SearchPage(found.offset + len(found.hits), found.query)
        blocks.append(
            actions(
                "search_more",
                button(
                    t(lang, "search.more"),
                    ids.A_SEARCH_MORE,
                    more.value,
                    label=t(lang, "a11y.search_more"),
                ),
            )
        )
    return blocks


def push_text(found: Found, lang: str) -> str:
    """The notification's text: how many results for what (no markup; `&<>` escaped,
    as Slack asks of every `text`)."""
    query = escape(clip(" ".join(found.query.split()), 100))
    if not found.hits:
        return t(lang, "search.none.push", query=query)
    return tn(lang, "search.count", len(found.hits), query=query) + ("…" if found.more else "")


def search_message(found: Found, directory: Directory, lang: str) -> Message:
    """`/cr-request suche …`: the results, privately."""
    title = section(f"*{t(lang, 'search.title', query=escape(clip(found.query, 100)))}*")
    return {
        "text": push_text(found, lang),
        "blocks": [title, *result_blocks(found, directory, lang)],
    }


def search_modal(
    lang: str, found: Found | None = None, directory: Directory | None = None
) -> dict[str, Any]:
    """The search from the Home tab: the field on top, the results (if any) below."""
    field: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ids.VALUE,
        "max_length": QUERY_MAX,
        "placeholder": plain(t(lang, "search.modal.ph")),
    }
    if found is not None and found.query:
        field["initial_value"] = found.query[:QUERY_MAX]
    blocks: list[Block] = [
        input_block(
            ids.B_SEARCH,
            t(lang, "search.modal.field"),
            field,
            hint=t(lang, "search.modal.hint"),
        )
    ]
    if found is not None and directory is not None:
        blocks += result_blocks(found, directory, lang)
    return modal(
        ids.VIEW_SEARCH,
        t(lang, "search.modal.title"),
        blocks[:100],
        submit=t(lang, "search.modal.submit"),
        close=t(lang, "search.modal.close"),
        private_metadata=small_metadata(lang=lang),
    )


def search_usage(lang: str) -> Message:
    text = t(lang, "search.usage")
    return {"text": text.replace("`", ""), "blocks": [section(text)]}


def topics_list(directory: Directory, lang: str) -> str:
    return ", ".join(escape(tp.label(lang)) for tp in directory.topics)


def experts_usage(directory: Directory, lang: str, unknown: str | None = None) -> Message:
    topics = topics_list(directory, lang)
    if unknown:
        text = t(lang, "experts.unknown", topic=escape(clip(unknown, 50)), topics=topics)
    else:
        text = t(lang, "experts.usage", topics=topics)
    return {"text": text.replace("`", ""), "blocks": [section(text)]}


def experts_message(
    topic_key: str, experts: list[ExpertCount], directory: Directory, lang: str
) -> Message:
    """`/cr-request expert/innen THEMA`: per city, who acted as expert, with how often."""
    topic = escape(directory.topic_label(topic_key, lang))
    push = t(lang, "experts.push", topic=directory.topic_label(topic_key, lang))
    if not experts:
        text = t(lang, "experts.none", topic=topic)
        return {"text": text, "blocks": [section(text)]}
    by_city: dict[str, list[ExpertCount]] = {}
    for e in experts:
        by_city.setdefault(e.city_key, []).append(e)
    lines = [t(lang, "experts.title", topic=topic)]
    for city in sorted(by_city, key=directory.city_name):
        name = escape(directory.city_name(city))
        lines.append(f"*{name}*: {people_counts(by_city[city], lang)}")
    return {"text": push, "blocks": [section("\n".join(lines))]}
