"""Modal views: the request form and the small modals behind buttons."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any, TypeGuard

from bot.domain.directory import Directory
from bot.domain.request import (
    COST_TEXT_MAX,
    DIRECTIONS,
    FORMATS,
    GOALS_MAX,
    QUESTION_MAX,
    TITLE_MAX,
    TRAVELLERS_MAX,
    TRAVELLERS_MIN,
    Problem,
    RawRequest,
    Summary,
)
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
from bot.slack.targets import ID_MAX, parse_id
from bot.texts import direction_label, fmt_money, fmt_range, format_label, t

SLACK_ID = re.compile(r"[A-Z0-9]{1,32}")


def request_metadata(lang: str, edit_id: int | None = None, version: int | None = None) -> str:
    data: dict[str, Any] = {"lang": lang}
    if edit_id is not None:
        data.update(edit=edit_id, v=version)
    return json.dumps(data, separators=(",", ":"))


def parse_metadata(text: str | None) -> dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _initial(options: list[dict[str, Any]], value: str | None) -> dict[str, Any] | None:
    return next((o for o in options if o["value"] == value), None)


def request_modal(
    directory: Directory,
    lang: str,
    *,
    prefill: RawRequest | None = None,
    edit_id: int | None = None,
    version: int | None = None,
) -> dict[str, Any]:
    """The request form; `prefill` fills fields (own city, or a whole request to edit)."""
    p = prefill or RawRequest()
    topics = [option(tp.label(lang), tp.key) for tp in directory.topics]
    cities = [option(c.name, c.key) for c in directory.cities]
    formats = [option(format_label(f, lang), f) for f in FORMATS]
    directions = [option(direction_label(d, lang), d) for d in DIRECTIONS]

    def text_input(value: str | None, limit: int, ph: str, multiline: bool = False) -> dict:
        el: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": ids.VALUE,
            "max_length": limit,
            "placeholder": plain(t(lang, ph)),
        }
        if multiline:
            el["multiline"] = True
        if value:
            el["initial_value"] = value[:limit]
        return el

    def select(opts: list[dict], value: str | None, ph: str) -> dict:
        el: dict[str, Any] = {
            "type": "static_select",
            "action_id": ids.VALUE,
            "options": opts[:100],
            "placeholder": plain(t(lang, ph)),
        }
        initial = _initial(opts, value)
        if initial:
            el["initial_option"] = initial
        return el

    def datepicker(value: str | None) -> dict:
        el: dict[str, Any] = {
            "type": "datepicker",
            "action_id": ids.VALUE,
            "placeholder": plain(t(lang, "field.date.ph")),
        }
        if value:
            el["initial_date"] = value
        return el

    partners: dict[str, Any] = {
        "type": "multi_static_select",
        "action_id": ids.VALUE,
        "options": cities[:100],
        "placeholder": plain(t(lang, "field.partners.ph")),
    }
    chosen = [o for o in cities if o["value"] in (p.get("partner_keys") or ())]
    if chosen:
        partners["initial_options"] = chosen
    direction: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": ids.VALUE,
        "options": directions,
    }
    if _initial(directions, p.get("direction")):
        direction["initial_option"] = _initial(directions, p.get("direction"))
    travellers: dict[str, Any] = {
        "type": "number_input",
        "action_id": ids.VALUE,
        "is_decimal_allowed": False,
        "min_value": str(TRAVELLERS_MIN),
        "max_value": str(TRAVELLERS_MAX),
        "initial_value": p.get("travellers") or "1",
    }
    blocks = [
        section(t(lang, "modal.intro")),
        input_block(
            ids.B_TITLE,
            t(lang, "field.title"),
            text_input(p.get("title"), TITLE_MAX, "field.title.ph"),
        ),
        input_block(
            ids.B_QUESTION,
            t(lang, "field.question"),
            text_input(p.get("question"), QUESTION_MAX, "field.question.ph", multiline=True),
        ),
        input_block(
            ids.B_GOALS,
            t(lang, "field.goals"),
            text_input(p.get("goals"), GOALS_MAX, "field.goals.ph", multiline=True),
            hint=t(lang, "field.goals.hint"),
            optional=True,
        ),
        input_block(
            ids.B_TOPIC,
            t(lang, "field.topic"),
            select(topics, p.get("topic_key"), "field.topic.ph"),
        ),
        input_block(
            ids.B_FORMAT,
            t(lang, "field.format"),
            select(formats, p.get("format"), "field.format.ph"),
        ),
        input_block(ids.B_DIRECTION, t(lang, "field.direction"), direction),
        input_block(
            ids.B_OWN_CITY,
            t(lang, "field.own_city"),
            select(cities, p.get("own_city_key"), "field.own_city.ph"),
            hint=t(lang, "field.own_city.hint"),
        ),
        input_block(ids.B_PARTNERS, t(lang, "field.partners"), partners),
        input_block(ids.B_DATE_FROM, t(lang, "field.date_from"), datepicker(p.get("date_from"))),
        input_block(ids.B_DATE_TO, t(lang, "field.date_to"), datepicker(p.get("date_to"))),
        input_block(
            ids.B_TRAVELLERS,
            t(lang, "field.travellers"),
            travellers,
            hint=t(lang, "field.travellers.hint"),
        ),
        input_block(
            ids.B_COST,
            t(lang, "field.cost"),
            text_input(p.get("cost_eur"), COST_TEXT_MAX, "field.cost.ph"),
            hint=t(lang, "field.cost.hint"),
            optional=True,
        ),
    ]
    return modal(
        ids.VIEW_REQUEST,
        t(lang, "modal.title_edit" if edit_id else "modal.title"),
        blocks,
        submit=t(lang, "modal.submit"),
        close=t(lang, "modal.close"),
        private_metadata=request_metadata(lang, edit_id, version),
    )


def _value(state: dict[str, Any], block_id: str) -> dict[str, Any]:
    block = state.get(block_id)
    if not isinstance(block, dict):
        return {}
    element = block.get(ids.VALUE)
    return element if isinstance(element, dict) else {}


def _str(x: Any) -> str | None:
    # NUL cannot be stored in PostgreSQL text and nobody can type it: drop it.
    return x.replace("\x00", "") if isinstance(x, str) else None


def _selected(element: dict[str, Any]) -> str | None:
    chosen = element.get("selected_option")
    return _str(chosen.get("value")) if isinstance(chosen, dict) else None


# The form's input blocks, by the request field they fill (block ids predate the field names).
BLOCK_OF_FIELD = {
    "title": ids.B_TITLE,
    "question": ids.B_QUESTION,
    "topic_key": ids.B_TOPIC,
    "format": ids.B_FORMAT,
    "direction": ids.B_DIRECTION,
    "own_city_key": ids.B_OWN_CITY,
    "partner_keys": ids.B_PARTNERS,
    "date_from": ids.B_DATE_FROM,
    "date_to": ids.B_DATE_TO,
    "travellers": ids.B_TRAVELLERS,
    "cost_eur": ids.B_COST,
    "goals": ids.B_GOALS,
}


def _element_value(element: dict[str, Any]) -> Any:
    """What a person entered in one input element, whatever its type."""
    if "selected_options" in element:
        chosen = element.get("selected_options")
        return tuple(
            v
            for o in (chosen if isinstance(chosen, list) else [])
            if isinstance(o, dict) and (v := _str(o.get("value")))
        )
    if "selected_option" in element:
        return _selected(element)
    if "selected_date" in element:
        return _str(element.get("selected_date"))
    return _str(element.get("value"))


def raw_request(state_values: Any) -> RawRequest:
    """Read the form's state.values; anything odd becomes None (validation says what's wrong)."""
    state = state_values if isinstance(state_values, dict) else {}
    return RawRequest(
        {name: _element_value(_value(state, block)) for name, block in BLOCK_OF_FIELD.items()}
    )


def form_errors(problems: list[Problem], lang: str) -> dict[str, str]:
    """Validation problems as `response_action: errors`, under the field's block.
    Amounts read as everywhere else (1.250,50 € / €1,250.50)."""

    def shown(params: dict[str, object]) -> dict[str, object]:
        return {k: fmt_money(v, lang) if isinstance(v, Decimal) else v for k, v in params.items()}

    return {
        BLOCK_OF_FIELD.get(p.field, p.field): t(lang, p.key, **shown(p.params)) for p in problems
    }


def small_metadata(**data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


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


def text_value(state_values: Any, block_id: str) -> str:
    state = state_values if isinstance(state_values, dict) else {}
    return (_str(_value(state, block_id).get("value")) or "").strip()


def users_value(state_values: Any, block_id: str) -> list[str]:
    state = state_values if isinstance(state_values, dict) else {}
    chosen = _value(state, block_id).get("selected_users")
    return [u for u in chosen if is_slack_id(u)] if isinstance(chosen, list) else []


def is_slack_id(value: Any) -> TypeGuard[str]:
    """A user, team or view ID as Slack makes them (what our columns hold)."""
    return isinstance(value, str) and SLACK_ID.fullmatch(value) is not None


def metadata_id(meta: dict[str, Any], key: str) -> int:
    """A request id or version from our private_metadata; 0 (no such request) if odd."""
    value = meta.get(key)
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value if 0 < value <= ID_MAX else 0
    return parse_id(value) or 0


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
    shares = [option(t(lang, f"share.{k}"), k) for k in ("report", "participants", "network")]
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


def selected_value(state_values: Any, block_id: str) -> str | None:
    state = state_values if isinstance(state_values, dict) else {}
    return _selected(_value(state, block_id))
