"""Modals of running the programme: naming a deputy, claiming the travel costs, new dates."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.domain.claims import PERMALINK_MAX, RECEIPT_NAME_MAX, Receipt
from bot.domain.directory import Directory
from bot.domain.request import QUESTION_MAX, Summary
from bot.slack import ids
from bot.slack.blocks import context, escape, input_block, modal, option, plain, section
from bot.slack.views.modals import request_context
from bot.slack.views.state import clean_text, input_element, is_slack_id, small_metadata
from bot.texts import t

CLAIM_NOTE_MAX = 1000
CLAIM_FILES_MAX = 10
# A link we can write as <url|name>: https, and none of the characters that end it.
PERMALINK = re.compile(r"https://[^\s<>|]+")


def deputy_modal(lang: str, user: str, *, coordinator: bool, today: date) -> dict[str, Any]:
    """Person and end date; a coordinator also picks who is away (themselves by default)."""
    blocks = [section(t(lang, "modal.deputy.intro"))]
    if coordinator:
        away = {"type": "users_select", "action_id": ids.VALUE, "initial_user": user}
        blocks.append(input_block(ids.B_DEPUTY_AWAY, t(lang, "modal.deputy.away"), away))
    person = {"type": "users_select", "action_id": ids.VALUE}
    blocks.append(
        input_block(ids.B_DEPUTY_PERSON, t(lang, "modal.deputy.person"), person, optional=True)
    )
    until = {"type": "datepicker", "action_id": ids.VALUE, "initial_date": today.isoformat()}
    blocks.append(input_block(ids.B_DEPUTY_UNTIL, t(lang, "modal.deputy.until"), until))
    return modal(
        ids.VIEW_DEPUTY,
        t(lang, "modal.deputy.title"),
        blocks,
        submit=t(lang, "modal.deputy.submit"),
        close=t(lang, "modal.close"),
        private_metadata=small_metadata(lang=lang),
    )


def selected_user(state_values: Any, block_id: str) -> str | None:
    state = state_values if isinstance(state_values, dict) else {}
    user = input_element(state, block_id).get("selected_user")
    return user if is_slack_id(user) else None


def selected_date(state_values: Any, block_id: str) -> date | None:
    state = state_values if isinstance(state_values, dict) else {}
    text = clean_text(input_element(state, block_id).get("selected_date"))
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def receipts(state_values: Any, block_id: str) -> list[Receipt]:
    """The files uploaded in a file_input (they stay in Slack): id, name, permalink.

    view_submission carries them as state.values[block][action]["files"], each the file
    object of files.info ("id", "name", "title", "permalink", …). A name or link that is
    not a plain string, or a link that is not an https URL we can put into <url|name>,
    is left out (the id is kept)."""
    state = state_values if isinstance(state_values, dict) else {}
    files = input_element(state, block_id).get("files")
    found = []
    for item in files if isinstance(files, list) else []:
        if not isinstance(item, dict) or not is_slack_id(item.get("id")):
            continue
        name = clean_text(item.get("name")) or clean_text(item.get("title")) or ""
        link = clean_text(item.get("permalink")) or ""
        if len(link) > PERMALINK_MAX or not PERMALINK.fullmatch(link):
            link = ""
        name = " ".join(name.split())[:RECEIPT_NAME_MAX]
        found.append(Receipt(item["id"], name, link))
    return found[:CLAIM_FILES_MAX]


def claim_modal(
    request_id: int,
    lang: str,
    *,
    travelling: int | None = None,
    request: Summary | None = None,
    directory: Directory | None = None,
) -> dict[str, Any]:
    """The actual travel costs: amount, per person or in total, a note, the receipts."""
    amount = {"type": "plain_text_input", "action_id": ids.VALUE, "max_length": 40}
    total = option(t(lang, "claim.basis.total"), "total")
    per_person = (
        t(lang, "claim.basis.per_person_any")
        if travelling is None
        else t(lang, "claim.basis.per_person", n=travelling)
    )
    basis = {
        "type": "radio_buttons",
        "action_id": ids.VALUE,
        "options": [total, option(per_person, "per_person")],
        "initial_option": total,
    }
    note = {
        "type": "plain_text_input",
        "action_id": ids.VALUE,
        "multiline": True,
        "max_length": min(CLAIM_NOTE_MAX, QUESTION_MAX),
    }
    files = {"type": "file_input", "action_id": ids.VALUE, "max_files": CLAIM_FILES_MAX}
    blocks = [
        request_context(request_id, lang, request, directory),
        input_block(ids.B_CLAIM_AMOUNT, t(lang, "modal.claim.amount"), amount),
        input_block(ids.B_CLAIM_BASIS, t(lang, "modal.claim.basis"), basis),
        input_block(ids.B_CLAIM_NOTE, t(lang, "modal.claim.note"), note, optional=True),
        input_block(ids.B_CLAIM_FILES, t(lang, "modal.claim.files"), files, optional=True),
    ]
    return modal(
        ids.VIEW_CLAIM,
        t(lang, "modal.claim.title"),
        blocks,
        submit=t(lang, "modal.claim.submit"),
        close=t(lang, "modal.close"),
        private_metadata=small_metadata(id=request_id, lang=lang),
    )


def claim_question_modal(request_id: int, version: int, lang: str) -> dict[str, Any]:
    text = {"type": "plain_text_input", "action_id": ids.VALUE, "multiline": True}
    return modal(
        ids.VIEW_CLAIM_QUESTION,
        t(lang, "modal.claim_question.title"),
        [
            context(t(lang, "summary.request", id=request_id)),
            input_block(ids.B_REASON, t(lang, "modal.claim_question.label"), text),
        ],
        submit=t(lang, "modal.submit"),
        close=t(lang, "modal.close"),
        private_metadata=small_metadata(id=request_id, v=version, lang=lang),
    )


__all__ = ["claim_modal", "deputy_modal", "plain", "receipts", "selected_date", "selected_user"]


def new_dates_modal(
    request_id: int,
    version: int,
    lang: str,
    *,
    request: Summary | None = None,
    directory: Directory | None = None,
) -> dict[str, Any]:
    """New dates for a request that lapsed undecided: first and last day (what the request is
    and whose contacts decide it, once it is loaded)."""
    blocks = [request_context(request_id, lang, request, directory)]
    if request is not None and directory is not None:
        city = escape(directory.city_name(request.own_city_key))
        blocks.append(context(t(lang, "modal.new_dates.intro", city=city)))
    for block_id, label in ((ids.B_DATE_FROM, "field.date_from"), (ids.B_DATE_TO, "field.date_to")):
        picker = {"type": "datepicker", "action_id": ids.VALUE}
        blocks.append(input_block(block_id, t(lang, label), picker))
    return modal(
        ids.VIEW_NEW_DATES,
        t(lang, "modal.new_dates.title"),
        blocks,
        submit=t(lang, "modal.new_dates.submit"),
        close=t(lang, "modal.close"),
        private_metadata=small_metadata(id=request_id, v=version, lang=lang),
    )
