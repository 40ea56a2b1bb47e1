"""The participants' own messages: an expert told they were named; the buttons they share
with the Home tab (the certificate of participation itself comes as a file:
`bot.slack.certificate`)."""

from __future__ import annotations

from bot.domain.directory import Directory
from bot.domain.request import Summary
from bot.slack import ids
from bot.slack.blocks import button, escape, section
from bot.slack.messages.common import Message, push, summary_blocks
from bot.slack.targets import RequestTarget
from bot.texts import fmt_range, t


def certificate_button(s: Summary, lang: str) -> dict[str, object]:
    """*Bescheinigung herunterladen*: the certificate comes as a file into the DM."""
    return button(
        t(lang, "button.certificate"),
        ids.A_CERTIFICATE,
        RequestTarget(s.id, s.version).value,
        label=t(lang, "a11y.certificate", id=s.id),
    )


def reflect_button(s: Summary, lang: str) -> dict[str, object]:
    """*Reflexion schreiben* (the Home tab's; the prompt's DM has its own)."""
    return button(
        t(lang, "button.reflect"),
        ids.A_REFLECT,
        RequestTarget(s.id, s.version).value,
        style="primary",
        label=t(lang, "a11y.reflect", id=s.id),
    )


def expert_named(
    s: Summary,
    directory: Directory,
    lang: str,
    *,
    actor: str,
    city_key: str,
    matched: bool,
) -> Message:
    """To an expert someone else named: by whom, for which city and request, when; what
    comes next (the group DM and its agreement)."""
    city = escape(directory.city_name(city_key))
    dates = fmt_range(s.date_from, s.date_to, lang)
    text = t(
        lang,
        "dm.expert_named",
        actor=f"<@{actor}>",
        city=city,
        id=s.id,
        requester=f"<@{s.requester_id}>",
        dates=dates,
    )
    then = t(lang, "dm.expert_named.matched" if matched else "dm.expert_named.waiting")
    return {
        "text": push(
            s, directory, lang, "push.expert_named", actor=f"<@{actor}>", city=city, dates=dates
        ),
        "blocks": [
            section(text + "\n" + then),
            *summary_blocks(s, directory, lang, with_status=False),
        ],
    }
