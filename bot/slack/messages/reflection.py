"""After the exchange: the prompt to reflect."""

from __future__ import annotations

from bot.domain.request import Summary
from bot.slack import ids
from bot.slack.blocks import (
    actions,
    button,
    clip,
    escape,
    section,
)
from bot.slack.messages.common import (
    Message,
    plain_t,
)
from bot.slack.targets import RequestTarget
from bot.texts import (
    t,
)


def reflection_prompt(s: Summary, lang: str) -> Message:
    title = escape(clip(s.title, 150))
    text = t(lang, "reflect.ask", id=s.id, title=title)
    return {
        "text": plain_t(lang, "reflect.ask", id=s.id, title=title),
        "blocks": [
            section(text),
            actions(
                f"reflect_{s.id}",
                button(
                    t(lang, "button.reflect"),
                    ids.A_REFLECT,
                    RequestTarget(s.id, s.version).value,
                    style="primary",
                ),
            ),
        ],
    }
