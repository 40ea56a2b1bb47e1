"""Steps of the request flow as Slack would send them, for the integration tests."""

from __future__ import annotations

import json
from typing import Any

from bot.slack import ids
from tests import payloads as p


def form_values(**overrides: Any) -> dict[str, dict[str, Any]]:
    """state.values of a valid request form; override any field by its block id."""
    fields: dict[str, Any] = {
        ids.B_TITLE: p.text_value("Quartiersschulen gemeinsam planen"),
        ids.B_QUESTION: p.text_value("Wie habt ihr Schule und Stadtteil zusammen geplant?"),
        ids.B_TOPIC: p.select_value("wohnen", "Wohnen"),
        ids.B_FORMAT: p.select_value("workshop", "Workshop"),
        ids.B_DIRECTION: p.radio_value("visit", "Wir besuchen eine Partnerstadt"),
        ids.B_OWN_CITY: p.select_value("leipzig", "Leipzig"),
        ids.B_PARTNERS: p.multi_select_values(["bremen"], ["Bremen"]),
        ids.B_DATE_FROM: p.date_value("2026-12-07"),
        ids.B_DATE_TO: p.date_value("2026-12-09"),
        ids.B_TRAVELLERS: p.number_value("2"),
        ids.B_COST: p.text_value("450"),
    }
    for key, value in overrides.items():
        fields[key] = value
    return {block: {ids.VALUE: element} for block, element in fields.items()}


def submit_request(
    bot: Any,
    user: str = "U0REQ1",
    *,
    view_id: str = "V0REQ1",
    metadata: str | None = None,
    **overrides: Any,
) -> tuple[int, Any]:
    """Submit the request modal as `user`."""
    return bot.http.submit(
        callback_id=ids.VIEW_REQUEST,
        user_id=user,
        values=form_values(**overrides),
        view_id=view_id,
        private_metadata=metadata or json.dumps({"lang": "de"}),
    )


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    """All text in a list of blocks, to assert on what people read."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("plain_text", "mrkdwn") and "text" in node:
                out.append(str(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(out)


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """action_id -> value of every button in the blocks."""
    found: dict[str, str] = {}
    for block in blocks:
        for el in block.get("elements", []) if block.get("type") == "actions" else []:
            if el.get("type") == "button":
                found[el["action_id"]] = el.get("value", "")
    return found


def dms_to(bot: Any, user: str) -> list[Any]:
    """chat.postMessage calls Slack accepted that went to `user`'s DM, oldest first."""
    return [c for c in bot.slack.delivered("chat.postMessage") if c.params["channel"] == user]


def last_dm(bot: Any, user: str) -> Any:
    found = dms_to(bot, user)
    assert found, f"no DM to {user}; calls: {bot.slack.methods()}"
    return found[-1]


def click(
    bot: Any, user: str, message: Any, action_id: str, *, name: str = "r", value: str | None = None
) -> tuple[int, Any]:
    """Click the button `action_id` of a posted message (a recorded chat.postMessage call)."""
    if value is None:
        value = buttons(message.params["blocks"])[action_id]
    return bot.http.click(
        action_id=action_id,
        value=value,
        user_id=user,
        channel_id=message.response["channel"],
        message_ts=message.response["ts"],
        response_url=bot.slack.response_url(name),
    )


def replies(bot: Any, name: str = "r") -> list[str]:
    """Texts the bot sent back through a response_url (private replies)."""
    return [
        c.params.get("text", "")
        for c in bot.slack.calls_to("response_url")
        if c.params.get("_name") == name
    ]


def submit_opened(
    bot: Any, user: str, values: dict[str, Any], *, index: int = -1
) -> tuple[int, Any]:
    """Submit the modal the bot opened last (views.open) with state `values`."""
    opened = bot.slack.delivered("views.open")[index]
    view = opened.response["view"]
    return bot.http.submit(
        callback_id=view["callback_id"],
        user_id=user,
        values=values,
        view_id=view["id"],
        private_metadata=view.get("private_metadata", ""),
    )


def text_state(block_id: str, text: str) -> dict[str, Any]:
    return {block_id: {ids.VALUE: p.text_value(text)}}
