"""After approval: the partner cities name their experts; the group DM that introduces
everyone, and the requester's DM with the link to it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.directory import Directory
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
    PERMALINK,
    Message,
    mentions,
    naming_label,
    plain_t,
    push,
    quote,
    summary_blocks,
)
from bot.slack.messages.decision import to_requester
from bot.slack.targets import NamingTarget
from bot.texts import (
    t,
)


def naming_request(s: Summary, directory: Directory, lang: str, city_key: str) -> Message:
    """What the partner city's contact gets after approval: name the expert(s)."""
    value = NamingTarget(s.id, s.version, city_key).value
    city = escape(directory.city_name(city_key))
    text = t(
        lang, "naming.intro", id=s.id, city=city, own=escape(directory.city_name(s.own_city_key))
    )
    return {
        "text": push(s, directory, lang, "push.naming", city=city),
        "blocks": [
            section(text),
            *summary_blocks(s, directory, lang),
            actions(
                f"name_{s.id}_{city_key}",
                button(
                    t(lang, "button.name_experts"),
                    ids.A_NAME_EXPERTS,
                    value,
                    label=naming_label(s, directory, lang, city_key),
                    style="primary",
                ),
            ),
        ],
    }


def experts_by_city(
    directory: Directory, lang: str, named: Sequence[tuple[str, Sequence[str], str]]
) -> str:
    """One line per partner city: its experts and who named them."""
    return "\n".join(
        t(
            lang,
            "experts.line",
            city=escape(directory.city_name(city)),
            experts=mentions(experts, lang),
            contact=f"<@{contact}>",
        )
        for city, experts, contact in named
    )


def introduction(
    s: Summary,
    directory: Directory,
    lang: str,
    named: Sequence[tuple[str, Sequence[str], str]],
    notes: Sequence[tuple[str, str]] = (),
) -> Message:
    """The one group DM of requester, all experts and the contacts who named them: who,
    what, when, the question. `named`: (city, experts, contact); `notes`: (city, note)."""
    text = t(lang, "intro.text", requester=f"<@{s.requester_id}>", id=s.id)
    blocks = [
        section(text + "\n" + experts_by_city(directory, lang, named)),
        *summary_blocks(s, directory, lang, with_status=False),
    ]
    for city, note in notes:
        label = t(lang, "intro.note", city=escape(directory.city_name(city)))
        blocks.append(section(f"*{label}*\n{quote(note, 2800)}"))
    push_text = plain_t(lang, "push.intro", id=s.id, title=escape(clip(s.title, 120)))
    return {"text": push_text, "blocks": blocks}


def matched_for_requester(
    s: Summary,
    directory: Directory,
    lang: str,
    named: Sequence[tuple[str, Sequence[str], str]],
) -> Message:
    """All partner cities named their experts: who they are, and the link to the group DM
    (the outbox fills in PERMALINK once the group DM's introduction is posted)."""
    link = f"<{PERMALINK}|{t(lang, 'matched.link')}>"
    message = to_requester(
        s,
        directory,
        lang,
        "dm.matched",
        section(experts_by_city(directory, lang, named) + "\n" + link),
    )
    message["text"] = push(s, directory, lang, "push.matched")
    return message
