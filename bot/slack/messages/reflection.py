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


def reflection_prompt(s: Summary, lang: str, *, asked_on: str | None = None) -> Message:
    """The prompt with its button; `asked_on` (the day of the prompt, as people read it):
    the one reminder a week later."""
    title = escape(clip(s.title, 150))
    if asked_on is None:
        text = t(lang, "reflect.ask", id=s.id, title=title)
        push = plain_t(lang, "reflect.ask", id=s.id, title=title)
    else:
        text = t(lang, "reflect.reminder", id=s.id, title=title, day=asked_on)
        push = plain_t(lang, "push.reflect_reminder", id=s.id, title=title)
    return {
        "text": push,
        "blocks": [
            section(text),
            actions(
                f"reflect_{s.id}",
                button(
                    t(lang, "button.reflect"),
                    ids.A_REFLECT,
                    RequestTarget(s.id, s.version).value,
                    label=t(lang, "a11y.reflect", id=s.id),
                    style="primary",
                ),
            ),
        ],
    }
