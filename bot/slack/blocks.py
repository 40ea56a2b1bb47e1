"""Small Block Kit helpers: pure functions returning dicts."""

from __future__ import annotations

import re
from typing import Any

Block = dict[str, Any]
TEXT_MAX = 3000  # section text limit
# U+2060 WORD JOINER: invisible, and to Slack neither a space nor punctuation, so a `*`
# between two of them opens or closes nothing. (U+200B is treated as a word boundary:
# other bots insert it to *make* formatting work.)
WORD_JOINER = "\u2060"
FORMATTING = "*_~`"
_QUOTE_AT_LINE_START = re.compile(r"^&gt;", re.MULTILINE)


def plain(text: str, limit: int = 150) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    # verbatim: Slack does not turn bare URLs or #names in it into links; our own links,
    # mentions and dates are written out as <…> and still work.
    return {"type": "mrkdwn", "text": clip(text, TEXT_MAX), "verbatim": True}


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str) -> str:
    """What a person typed, to be shown as typed in mrkdwn or a message's `text`.

    `&`, `<`, `>` become entities, as Slack asks (so `<!channel>`, `<@U…>` and
    `<url|label>` neither ping nor link). mrkdwn has no escape for `*`, `_`, `~` and
    `` ` ``: each gets a word joiner on both sides, so it cannot open or close formatting;
    a `>` starting a line would start a quote, so it gets one in front.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for mark in FORMATTING:
        text = text.replace(mark, f"{WORD_JOINER}{mark}{WORD_JOINER}")
    return _QUOTE_AT_LINE_START.sub(WORD_JOINER + "&gt;", text)


def section(text: str, **extra: Any) -> Block:
    return {"type": "section", "text": mrkdwn(text), **extra}


def fields_section(fields: list[str]) -> Block:
    # A section takes at most 10 fields of at most 2000 characters.
    return {"type": "section", "fields": [mrkdwn(clip(f, 2000)) for f in fields[:10]]}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def divider() -> Block:
    return {"type": "divider"}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text)}


def option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    """A choice; `description` (radio buttons, checkboxes) is shown under it."""
    found: dict[str, Any] = {"text": plain(text, 75), "value": value}
    if description:
        found["description"] = plain(description, 75)
    return found


def button(
    text: str,
    action_id: str,
    value: str,
    *,
    label: str,
    style: str | None = None,
    confirm: dict[str, Any] | None = None,
    accessibility_label: str | None = None,
) -> dict[str, Any]:
    """A button; `label` is what a screen reader says, read without the message around it
    (so it names the action and the request: "Anfrage #12 genehmigen")."""
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, 75),
        "action_id": action_id,
        "value": value,
        "accessibility_label": clip(label, 75),  # Slack's limit
    }
    if accessibility_label:
        element["accessibility_label"] = clip(accessibility_label, 75)
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def confirm_dialog(title: str, text: str, yes: str, no: str) -> dict[str, Any]:
    return {
        "title": plain(title, 100),
        "text": plain(text, 300),
        "confirm": plain(yes, 30),
        "deny": plain(no, 30),
        "style": "danger",
    }


def actions(block_id: str, *elements: dict[str, Any]) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    hint: str | None = None,
    optional: bool = False,
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def modal(
    callback_id: str,
    title: str,
    blocks: list[Block],
    *,
    submit: str | None = None,
    close: str | None = None,
    private_metadata: str = "",
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title, 24),
        "blocks": blocks,
    }
    if submit:
        view["submit"] = plain(submit, 24)
    if close:
        view["close"] = plain(close, 24)
    if private_metadata:
        view["private_metadata"] = private_metadata
    return view
