"""The small modals behind buttons (decline, ask, answer, name experts, reflect) and notices."""

from __future__ import annotations

from typing import Any

from bot.domain.directory import Directory
from bot.domain.request import QUESTION_MAX, Summary
from bot.slack import ids
from bot.slack.blocks import (
    Block,
    clip,
    context,
    escape,
    input_block,
    modal,
    option,
    plain,
    section,
)
from bot.slack.messages import cities_line
from bot.slack.views.state import small_metadata
from bot.texts import fmt_range, t


def request_context(
    request_id: int, lang: str, request: Summary | None, directory: Directory | None
) -> Block:
    """What a small modal is about. At first only the number the button carries (no
    database before views.open); after the check, title, cities and dates."""
    head = f"*{t(lang, 'summary.request', id=request_id)}*"
    if request is None or directory is None:
        return section(head)
    return section(
        f"*{t(lang, 'summary.request', id=request.id)}: {escape(request.title)}*\n"
        f"{escape(cities_line(request, directory))} · "
        f"{fmt_range(request.date_from, request.date_to, lang)}"
    )


def text_modal(
    callback_id: str,
    lang: str,
    title_key: str,
    label: str,
    submit_key: str,
    meta: str,
    *,
    about: Block,
    then: str,
    extra: list[Block] | None = None,
    block_id: str = ids.B_REASON,
) -> dict[str, Any]:
    """A modal with one required multiline text field (reason, question, answer): what it is
    about on top, what happens when it is sent below the field."""
    element = {
        "type": "plain_text_input",
        "action_id": ids.VALUE,
        "multiline": True,
        "max_length": QUESTION_MAX,
    }
    blocks = [about, *(extra or []), input_block(block_id, label, element), context(then)]
    return modal(
        callback_id,
        t(lang, title_key),
        blocks,
        submit=t(lang, submit_key),
        close=t(lang, "modal.close"),
        private_metadata=meta,
    )


def _city(request: Summary | None, directory: Directory | None, key: str) -> str:
    """The city's name once the request is known; until then a neutral word."""
    if request is None or directory is None:
        return ""
    return escape(directory.city_name(getattr(request, key)))


def decline_modal(
    request_id: int,
    version: int,
    lang: str,
    *,
    request: Summary | None = None,
    directory: Directory | None = None,
) -> dict[str, Any]:
    meta = small_metadata(id=request_id, v=version, lang=lang)
    return text_modal(
        ids.VIEW_DECLINE,
        lang,
        "modal.decline.title",
        t(lang, "modal.decline.reason"),
        "modal.decline.submit",
        meta,
        about=request_context(request_id, lang, request, directory),
        then=t(lang, "modal.decline.then"),
    )


def ask_modal(
    request_id: int,
    version: int,
    lang: str,
    *,
    request: Summary | None = None,
    directory: Directory | None = None,
) -> dict[str, Any]:
    meta = small_metadata(id=request_id, v=version, lang=lang)
    return text_modal(
        ids.VIEW_ASK,
        lang,
        "modal.ask.title",
        t(lang, "modal.ask.question"),
        "modal.ask.submit",
        meta,
        about=request_context(request_id, lang, request, directory),
        then=t(lang, "modal.ask.then"),
    )


def answer_modal(
    request_id: int,
    version: int,
    lang: str,
    *,
    request: Summary | None = None,
    directory: Directory | None = None,
    question: str | None = None,
) -> dict[str, Any]:
    """The requester's answer, below the question it answers (once it is loaded)."""
    meta = small_metadata(id=request_id, v=version, lang=lang)
    extra = []
    if question:
        quote = ">" + escape(clip(question, 2500)).replace("\n", "\n>")
        extra.append(section(f"*{t(lang, 'modal.answer.question')}*\n{quote}"))
    city = _city(request, directory, "own_city_key")
    return text_modal(
        ids.VIEW_ANSWER,
        lang,
        "modal.answer.title",
        t(lang, "modal.answer.label"),
        "modal.ask.submit",
        meta,
        about=request_context(request_id, lang, request, directory),
        extra=extra,
        then=t(lang, "modal.answer.then_city" if city else "modal.answer.then", city=city),
    )


OFFER_MAX = 1000  # Expert.offer


def name_experts_modal(
    request_id: int,
    city_key: str,
    city_name: str,
    lang: str,
    *,
    request: Summary | None = None,
    directory: Directory | None = None,
    suggestion: str | None = None,
) -> dict[str, Any]:
    """`suggestion`: who acted as expert on the topic for this city before (a line)."""
    meta = small_metadata(id=request_id, city=city_key, lang=lang)
    people = {
        "type": "multi_users_select",
        "action_id": ids.VALUE,
        "max_selected_items": 10,
        "placeholder": plain(t(lang, "field.partners.ph")),
    }
    note = {
        "type": "plain_text_input",
        "action_id": ids.VALUE,
        "multiline": True,
        "max_length": QUESTION_MAX,
    }
    blocks = [
        request_context(request_id, lang, request, directory),
        *([context(suggestion)] if suggestion else []),
        input_block(ids.B_EXPERTS, t(lang, "modal.name.experts", city=city_name), people),
        input_block(
            ids.B_OFFER,
            t(lang, "modal.name.offer", city=city_name),
            {
                "type": "plain_text_input",
                "action_id": ids.VALUE,
                "multiline": True,
                "max_length": OFFER_MAX,
                "placeholder": plain(t(lang, "modal.name.offer.ph")),
            },
            optional=True,
        ),
        input_block(ids.B_NOTE, t(lang, "modal.name.note"), note, optional=True),
        context(t(lang, "modal.name.then")),
    ]
    return modal(
        ids.VIEW_NAME_EXPERTS,
        t(lang, "modal.name.title"),
        blocks,
        submit=t(lang, "modal.name.submit"),
        close=t(lang, "modal.close"),
        private_metadata=meta,
    )


def notice_modal(text: str, lang: str, title_key: str = "refused.title") -> dict[str, Any]:
    """A modal that only says something (a refusal, or "one moment" while loading)."""
    return modal(
        "cr_notice", t(lang, title_key), [section(text)], close=t(lang, "modal.close_only")
    )


def loading_modal(lang: str) -> dict[str, Any]:
    return notice_modal(t(lang, "modal.loading"), lang, "modal.title")


def reflection_modal(
    request_id: int,
    lang: str,
    *,
    request: Summary | None = None,
    directory: Directory | None = None,
) -> dict[str, Any]:
    """What worked, what did not, would you recommend it, 1–5; and who reads it."""
    meta = small_metadata(id=request_id, lang=lang)

    def text(optional_block: str, label_key: str) -> dict[str, Any]:
        element = {
            "type": "plain_text_input",
            "action_id": ids.VALUE,
            "multiline": True,
            "max_length": QUESTION_MAX,
        }
        return input_block(optional_block, t(lang, label_key), element, optional=True)

    yes_no = [option(t(lang, "yes"), "yes"), option(t(lang, "no"), "no")]
    ratings = [option(str(n), str(n)) for n in range(5, 0, -1)]
    # Each choice says who reads the answers: the default shares with the participants.
    shares = [
        option(t(lang, f"share.{k}"), k, t(lang, f"share.{k}.means"))
        for k in ("report", "participants", "network")
    ]
    blocks = [
        request_context(request_id, lang, request, directory),
        text(ids.B_WORKED, "modal.reflect.worked"),
        text(ids.B_NOT_WORKED, "modal.reflect.not_worked"),
        text(ids.B_WILL_APPLY, "modal.reflect.will_apply"),
        input_block(
            ids.B_RECOMMEND,
            t(lang, "modal.reflect.recommend"),
            {"type": "radio_buttons", "action_id": ids.VALUE, "options": yes_no},
        ),
        input_block(
            ids.B_RATING,
            t(lang, "modal.reflect.rating"),
            {"type": "radio_buttons", "action_id": ids.VALUE, "options": ratings},
        ),
        input_block(
            ids.B_SHARE,
            t(lang, "modal.reflect.share"),
            {
                "type": "radio_buttons",
                "action_id": ids.VALUE,
                "options": shares,
                "initial_option": shares[1],
            },
        ),
        context(t(lang, "modal.reflect.then")),
    ]
    return modal(
        ids.VIEW_REFLECT,
        t(lang, "modal.reflect.title"),
        blocks,
        submit=t(lang, "modal.reflect.submit"),
        close=t(lang, "modal.close"),
        private_metadata=meta,
    )
