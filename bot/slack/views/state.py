"""What a submitted modal holds: its private_metadata and the values people entered.

Anything odd in a payload reads as empty (None, "", 0): validation says what is wrong."""

from __future__ import annotations

import json
import re
from typing import Any, TypeGuard

from bot.slack import ids
from bot.slack.targets import ID_MAX, parse_id

SLACK_ID = re.compile(r"[A-Z0-9]{1,32}")


def parse_metadata(text: str | None) -> dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def small_metadata(**data: Any) -> str:
    return json.dumps(data, separators=(",", ":"))


def metadata_id(meta: dict[str, Any], key: str) -> int:
    """A request id or version from our private_metadata; 0 (no such request) if odd."""
    value = meta.get(key)
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value if 0 < value <= ID_MAX else 0
    return parse_id(value) or 0


def input_element(state: dict[str, Any], block_id: str) -> dict[str, Any]:
    block = state.get(block_id)
    if not isinstance(block, dict):
        return {}
    element = block.get(ids.VALUE)
    return element if isinstance(element, dict) else {}


def clean_text(x: Any) -> str | None:
    # NUL cannot be stored in PostgreSQL text and nobody can type it: drop it.
    return x.replace("\x00", "") if isinstance(x, str) else None


def chosen_value(element: dict[str, Any]) -> str | None:
    chosen = element.get("selected_option")
    return clean_text(chosen.get("value")) if isinstance(chosen, dict) else None


def text_value(state_values: Any, block_id: str) -> str:
    state = state_values if isinstance(state_values, dict) else {}
    return (clean_text(input_element(state, block_id).get("value")) or "").strip()


def users_value(state_values: Any, block_id: str) -> list[str]:
    state = state_values if isinstance(state_values, dict) else {}
    chosen = input_element(state, block_id).get("selected_users")
    return [u for u in chosen if is_slack_id(u)] if isinstance(chosen, list) else []


def is_slack_id(value: Any) -> TypeGuard[str]:
    """A user, team or view ID as Slack makes them (what our columns hold)."""
    return isinstance(value, str) and SLACK_ID.fullmatch(value) is not None


def selected_value(state_values: Any, block_id: str) -> str | None:
    state = state_values if isinstance(state_values, dict) else {}
    return chosen_value(input_element(state, block_id))
