"""Modals of running the programme: naming a deputy, claiming the travel costs."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.directory import Directory
from bot.domain.request import QUESTION_MAX, Summary
from bot.i18n import t
from bot.slack import ids
from bot.slack.blocks import context, input_block, modal, option, plain, section
from bot.slack.views import _str, _value, is_slack_id, request_context, small_metadata

CLAIM_NOTE_MAX = 1000
CLAIM_FILES_MAX = 10


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
    user = _value(state, block_id).get("selected_user")
    return user if is_slack_id(user) else None


def selected_date(state_values: Any, block_id: str) -> date | None:
    state = state_values if isinstance(state_values, dict) else {}
    text = _str(_value(state, block_id).get("selected_date"))
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def file_ids(state_values: Any, block_id: str) -> list[str]:
    """The ids of the files uploaded in a file_input (they stay in Slack)."""
    state = state_values if isinstance(state_values, dict) else {}
    files = _value(state, block_id).get("files")
    found = [f.get("id") for f in files if isinstance(f, dict)] if isinstance(files, list) else []
    return [f for f in found if is_slack_id(f)][:CLAIM_FILES_MAX]


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


__all__ = ["claim_modal", "deputy_modal", "file_ids", "plain", "selected_date", "selected_user"]
