"""The request form: the modal, what it holds when submitted, and its errors under the fields."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from bot.domain.directory import Directory
from bot.domain.privacy import PrivacyNotice
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
from bot.domain.travel_cost import CostSuggestion, suggest_cost
from bot.slack import ids
from bot.slack.blocks import context, input_block, modal, option, plain, section
from bot.slack.messages import privacy_line
from bot.slack.views.state import chosen_value, clean_text, input_element
from bot.texts import direction_label, fmt_cents, fmt_money, format_label, t


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
    privacy: PrivacyNotice | None = None,
) -> dict[str, Any]:
    """The request form; `prefill` fills fields (own city, or a whole request to edit).
    Under the cost field, the estimate the directory's travel rates suggest for what is
    filled in; at the bottom, the privacy line."""
    p = prefill or RawRequest()
    suggestion = cost_suggestion(directory, p)
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
    if directory.travel_rates:
        # The suggestion follows the number as it is typed, not only on Enter.
        travellers["dispatch_action_config"] = {"trigger_actions_on": ["on_character_entered"]}
    cost = text_input(p.get("cost_eur"), COST_TEXT_MAX, "field.cost.ph")
    cost_hint = t(lang, "field.cost.hint")
    if suggestion is not None:
        cost["placeholder"] = plain(
            t(lang, "field.cost.ph_suggested", amount=fmt_cents(suggestion.cents, lang))
        )
        cost_hint = suggestion_text(suggestion, directory, lang) + " " + cost_hint
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
        input_block(ids.B_COST, t(lang, "field.cost"), cost, hint=cost_hint, optional=True),
        context(privacy_line(privacy or PrivacyNotice(), lang)),
    ]
    for block in blocks if directory.travel_rates else ():
        # Without rates there is nothing to suggest, and no reason for a round trip.
        if block.get("block_id") in ids.SUGGESTING_BLOCKS:
            block["dispatch_action"] = True
    return modal(
        ids.VIEW_REQUEST,
        t(lang, "modal.title_edit" if edit_id else "modal.title"),
        blocks,
        submit=t(lang, "modal.submit"),
        close=t(lang, "modal.close"),
        private_metadata=request_metadata(lang, edit_id, version),
    )


def cost_suggestion(directory: Directory, raw: RawRequest) -> CostSuggestion | None:
    """What the travel rates suggest for the form as filled in so far (None: nothing)."""
    if not directory.travel_rates:
        return None
    travellers = raw.get("travellers")
    people = int(travellers) if isinstance(travellers, str) and travellers.isdigit() else None
    return suggest_cost(
        directory.travel_rates,
        own_city=raw.get("own_city_key"),
        partners=tuple(raw.get("partner_keys") or ()),
        travellers=people,
        format=raw.get("format"),
        direction=raw.get("direction"),
    )


def suggestion_text(suggestion: CostSuggestion, directory: Directory, lang: str) -> str:
    """ "Vorschlag: 360,00 € (2 × 180,00 € Bremen–Leipzig) – übernehmen oder anpassen." """
    legs = " + ".join(
        t(
            lang,
            "field.cost.leg",
            n=line.people,
            rate=fmt_cents(line.cents_per_person, lang),
            home=directory.city_name(line.home),
            away=directory.city_name(line.away),
        )
        for line in suggestion.lines
    )
    return t(lang, "field.cost.suggested", amount=fmt_cents(suggestion.cents, lang), legs=legs)


def cost_hint_of(view: dict[str, Any]) -> str | None:
    """The hint under the cost field of a form as Slack shows it (to update only changes)."""
    for block in view.get("blocks") or ():
        if isinstance(block, dict) and block.get("block_id") == ids.B_COST:
            hint = block.get("hint")
            return hint.get("text") if isinstance(hint, dict) else None
    return None


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
