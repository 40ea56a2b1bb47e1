"""The channel digest (and /cr-request upcoming): weeks of upcoming exchanges."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain.directory import Directory
from bot.domain.request import Summary
from bot.i18n import fmt_date, fmt_range, format_label, t
from bot.slack.blocks import Block, context, divider, escape, header, section
from bot.slack.messages import Message, cities_line

if TYPE_CHECKING:
    # For hints only: at run time this would loop (bot.notify imports this module).
    from bot.usecases.digest import Digest

MAX_BLOCKS = 50


def item_line(s: Summary, directory: Directory, lang: str) -> str:
    """One exchange: title, cities from → to, topic, format, dates, people."""
    return (
        f"*#{s.id} {escape(s.title)}*\n"
        f"{escape(cities_line(s, directory))} · {escape(directory.topic_label(s.topic_key, lang))}"
        f" · {format_label(s.format, lang)}\n"
        f"{fmt_range(s.date_from, s.date_to, lang)} · {t(lang, 'digest.people', n=s.travellers)}"
    )


def digest_blocks(digest: Digest, directory: Directory, lang: str) -> list[Block]:
    """All blocks of a digest, in order (split into messages by `digest_messages`)."""
    blocks: list[Block] = [header(t(lang, "digest.title"))]
    for monday, items in digest.weeks:
        blocks.append(section(f"*{t(lang, 'digest.week', day=fmt_date(monday, lang))}*"))
        if not items:
            blocks.append(context(t(lang, "digest.nothing")))
        blocks.extend(section(item_line(s, directory, lang)) for s in items)
        blocks.append(divider())
    blocks.append(context(t(lang, "digest.pending", n=digest.pending)))
    return blocks


def digest_messages(digest: Digest, directory: Directory, lang: str) -> list[Message]:
    """The digest as messages of at most 50 blocks; the 2nd and later go into the thread."""
    blocks = digest_blocks(digest, directory, lang)
    chunks: list[list[Block]] = []
    size = MAX_BLOCKS - 1  # room for the "continued" note
    while blocks:
        chunks.append(blocks[:size])
        blocks = blocks[size:]
    messages: list[Message] = []
    for n, chunk in enumerate(chunks, start=1):
        if n > 1:
            chunk = [context(t(lang, "digest.continued", n=n, total=len(chunks))), *chunk]
        messages.append({"text": t(lang, "digest.title"), "blocks": chunk})
    return messages


def digest_text(digest: Digest, directory: Directory, lang: str) -> str:
    """Plain text for `cr-bot digest --dry-run`."""
    lines = [t(lang, "digest.title"), ""]
    for monday, items in digest.weeks:
        lines.append(t(lang, "digest.week", day=fmt_date(monday, lang)))
        if not items:
            lines.append("  " + t(lang, "digest.nothing").strip("_"))
        for s in items:
            for i, line in enumerate(item_line(s, directory, lang).replace("*", "").split("\n")):
                lines.append(("  - " if i == 0 else "    ") + line)
        lines.append("")
    lines.append(t(lang, "digest.pending", n=digest.pending).split(": ", 1)[-1])
    return "\n".join(lines)
