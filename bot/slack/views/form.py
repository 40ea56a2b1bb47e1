"""The request form: the modal, what it holds when submitted, and its errors under the fields."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

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
)
from bot.slack import ids
from bot.slack.blocks import input_block, modal, option, plain, section
from bot.slack.views.state import chosen_value, clean_text, input_element
from bot.texts import direction_label, fmt_money, format_label, t


def request_metadata(lang: str, edit_id: int | None = None, version: int | None = None) -> str:
    data: dict[str, Any] = {"lang": lang}
    if edit_id is not None:
        data.update(edit=edit_id, v=version)
    return json.dumps(data, separators=(",", ":"))


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
            if isinstance(o, dict) and (v := clean_text(o.get("value")))
        )
    if "selected_option" in element:
        return chosen_value(element)
    if "selected_date" in element:
        return clean_text(element.get("selected_date"))
    return clean_text(element.get("value"))


def raw_request(state_values: Any) -> RawRequest:
    """Read the form's state.values; anything odd becomes None (validation says what's wrong)."""
    state = state_values if isinstance(state_values, dict) else {}
    return RawRequest(
        {
            name: _element_value(input_element(state, block))
            for name, block in BLOCK_OF_FIELD.items()
        }
    )


def form_errors(problems: list[Problem], lang: str) -> dict[str, str]:
    """Validation problems as `response_action: errors`, under the field's block.
    Amounts read as everywhere else (1.250,50 € / €1,250.50)."""

    def shown(params: dict[str, object]) -> dict[str, object]:
        return {k: fmt_money(v, lang) if isinstance(v, Decimal) else v for k, v in params.items()}

    return {
        BLOCK_OF_FIELD.get(p.field, p.field): t(lang, p.key, **shown(p.params)) for p in problems
    }
