"""The channel digest (and /cr-request upcoming): weeks of upcoming exchanges."""

from __future__ import annotations

from bot.domain.digest import Digest
from bot.domain.directory import Directory
from bot.domain.request import Summary, people_travelling
from bot.slack.blocks import Block, context, divider, escape, header, section
from bot.slack.messages import Message, cities_line
from bot.texts import fmt_date, fmt_range, format_label, join_names, t, tn, travellers_text

MAX_BLOCKS = 50


def item_lines(s: Summary, directory: Directory, lang: str) -> tuple[str, str, str]:
    """One exchange as plain text: title; cities from → to, topic, format; dates and who
    travels (if anyone)."""
    people = people_travelling(s)
    return (
        f"#{s.id} {s.title}",
        f"{cities_line(s, directory)} · {directory.topic_label(s.topic_key, lang)}"
        f" · {format_label(s.format, lang)}",
        fmt_range(s.date_from, s.date_to, lang)
        + (f" · {travellers_text(people, lang)}" if people else ""),
    )


def missing_line(digest: Digest, s: Summary, directory: Directory, lang: str) -> str:
    """For an approved exchange still missing experts: which partner cities are to name
    them ("" for a matched one)."""
    if s.id not in digest.missing:
        return ""
    cities = join_names([directory.city_name(c) for c in digest.missing[s.id]], lang)
    return t(lang, "digest.missing", cities=cities or cities_line(s, directory))


def item_line(s: Summary, directory: Directory, lang: str, missing: str = "") -> str:
    """The same in mrkdwn: the title bold, what people typed escaped; an exchange still
    missing experts says so."""
    title, where, when = item_lines(s, directory, lang)
    line = f"*{escape(title)}*\n{escape(where)}\n{when}"
    return line + (f"\n:warning: _{escape(missing)}_" if missing else "")


def digest_blocks(digest: Digest, directory: Directory, lang: str) -> list[Block]:
    """All blocks of a digest, in order (split into messages by `digest_messages`)."""
    blocks: list[Block] = [header(t(lang, "digest.title"))]
    for monday, items in digest.weeks:
        blocks.append(section(f"*{t(lang, 'digest.week', day=fmt_date(monday, lang))}*"))
        if not items:
            blocks.append(context(t(lang, "digest.nothing")))
        blocks.extend(
            section(item_line(s, directory, lang, missing_line(digest, s, directory, lang)))
            for s in items
        )
        blocks.append(divider())
    pending = tn(lang, "digest.pending", digest.pending)
    blocks.append(context(f":hourglass_flowing_sand: {pending}"))
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
            lines.append("  " + t(lang, "digest.nothing").strip("_"))  # no mrkdwn here
        for s in items:
            title, where, when = item_lines(s, directory, lang)
            lines += [f"  - {title}", f"    {where}", f"    {when}"]
            if missing := missing_line(digest, s, directory, lang):
                lines.append(f"    {missing}")
        lines.append("")
    lines.append(tn(lang, "digest.pending", digest.pending))
    return "\n".join(lines)
