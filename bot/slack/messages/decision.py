"""The decision: the request with its three buttons for the contacts (and their reminders,
the coordinators' escalation), what closes it, and the requester's DMs about it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.directory import Directory
from bot.domain.request import Summary
from bot.slack import ids
from bot.slack.blocks import (
    Block,
    actions,
    button,
    clip,
    context,
    escape,
    section,
)
from bot.slack.messages.common import (
    Message,
    plain_t,
    push,
    quote,
    summary_blocks,
    when,
)
from bot.slack.messages.filing import file_again_blocks
from bot.slack.targets import RequestTarget
from bot.texts import (
    join_names,
    status_label,
    t,
)


def decision_buttons(s: Summary, lang: str, block_id: str) -> Block:
    value = RequestTarget(s.id, s.version).value
    return actions(
        block_id,
        button(
            t(lang, "button.approve"),
            ids.A_APPROVE,
            value,
            label=t(lang, "a11y.approve", id=s.id),
            style="primary",
        ),
        button(
            t(lang, "button.decline"),
            ids.A_DECLINE,
            value,
            label=t(lang, "a11y.decline", id=s.id),
            style="danger",
        ),
        button(t(lang, "button.ask"), ids.A_ASK, value, label=t(lang, "a11y.ask", id=s.id)),
    )


def decision_request(
    s: Summary,
    directory: Directory,
    lang: str,
    *,
    answer: tuple[str | None, str] | None = None,
    resubmitted: bool = False,
) -> Message:
    """What a contact of the requester's city gets: the request and the three buttons.

    `answer` is (question, answer) when the requester answered a question.
    """
    again = resubmitted or answer is not None
    key = "decide.again" if again else "decide.intro"
    intro = t(lang, key, id=s.id, user=f"<@{s.requester_id}>")
    return {
        "text": push(s, directory, lang, "push.decide_again" if again else "push.decide"),
        "blocks": [
            section(intro),
            *summary_blocks(s, directory, lang),
            *question_and_answer(lang, answer),
            decision_buttons(s, lang, f"decide_{s.id}_{s.version}"),
        ],
    }


def question_and_answer(lang: str, answer: tuple[str | None, str] | None) -> list[Block]:
    if answer is None:
        return []
    question, reply = answer
    qa = f"*{t(lang, 'decide.question')}*\n{quote(question or '–', 1200)}\n"
    qa += f"*{t(lang, 'decide.answer')}*\n{quote(reply, 1500)}"
    return [section(qa)]


def outcome_line(
    action: str, actor: str, moment: datetime, lang: str, tz: ZoneInfo, comment: str | None = None
) -> str:
    """ "Genehmigt von @x am …" — what closed a message with buttons."""
    text = t(lang, f"outcome.{action}", actor=f"<@{actor}>", when=when(moment, lang, tz))
    if comment:
        text += "\n" + quote(comment, 2500)
    return text


def closed_message(
    s: Summary, directory: Directory, lang: str, outcome: str, *extra: Block
) -> Message:
    """A message with buttons after the fact: the outcome on top, no buttons, no status
    (it is not updated again, so it must not say what will change)."""
    return {
        "text": push(s, directory, lang, "push.closed", status=status_label(s.status, lang)),
        "blocks": [
            section(outcome),
            *extra,
            *summary_blocks(s, directory, lang, with_question=False, with_status=False),
        ],
    }


def to_requester(
    s: Summary, directory: Directory, lang: str, key: str, *extra: Block, **params: object
) -> Message:
    """A DM to the requester about their request: the news (text `key`), then the request in
    short. The push text is the news without markup."""
    return {
        "text": plain_t(lang, key, id=s.id, **params),
        "blocks": [
            section(t(lang, key, id=s.id, **params)),
            *extra,
            *summary_blocks(s, directory, lang, with_question=False),
        ],
    }


def who_acted(actor: str, lang: str, for_user: str | None = None) -> str:
    """ "@deputy (in Vertretung für @contact)" as the contacts read it, or "@actor"."""
    deputy = t(lang, "outcome.for", user=f"<@{for_user}>") if for_user else ""
    return f"<@{actor}>{deputy}"


def declined_for_requester(
    s: Summary,
    directory: Directory,
    lang: str,
    actor: str,
    reason: str,
    *,
    for_user: str | None = None,
) -> Message:
    mention = who_acted(actor, lang, for_user)
    message = to_requester(
        s,
        directory,
        lang,
        "dm.declined",
        section(quote(reason or "–", 2800)),
        section(t(lang, "dm.declined.next", actor=mention)),  # what the requester can do
        actor=mention,
    )
    message["blocks"] += file_again_blocks(s, lang)  # under the request it would file again
    message["text"] = clip(f"{message['text']} {escape(clip(reason, 250))}", 300)
    return message


def question_for_requester(
    s: Summary,
    directory: Directory,
    lang: str,
    actor: str,
    question: str,
    *,
    for_user: str | None = None,
) -> Message:
    value = RequestTarget(s.id, s.version).value
    mention = who_acted(actor, lang, for_user)
    message = to_requester(
        s,
        directory,
        lang,
        "dm.question",
        section(quote(question, 2800)),
        actions(
            f"answer_{s.id}_{s.version}",
            button(
                t(lang, "button.answer"),
                ids.A_ANSWER,
                value,
                label=t(lang, "a11y.answer", id=s.id),
                style="primary",
            ),
            button(t(lang, "button.edit"), ids.A_EDIT, value, label=t(lang, "a11y.edit", id=s.id)),
        ),
        actor=mention,
    )
    message["text"] = plain_t(
        lang, "push.question", id=s.id, actor=mention, question=escape(clip(question, 200))
    )
    return message


def question_answered(
    s: Summary,
    directory: Directory,
    lang: str,
    outcome: str,
    answer: tuple[str | None, str] | None,
) -> Message:
    """The requester's question DM after she answered (her question and answer stay) or
    edited the request."""
    return closed_message(s, directory, lang, outcome, *question_and_answer(lang, answer))


def approved_for_coordinators(s: Summary, directory: Directory, lang: str, actor: str) -> Message:
    text = t(lang, "coord.approved", id=s.id, actor=f"<@{actor}>")
    return {
        "text": push(s, directory, lang, "push.coord_approved", actor=f"<@{actor}>"),
        "blocks": [
            section(text),
            *summary_blocks(s, directory, lang, with_question=False),
            actions(
                f"match_{s.id}",
                button(
                    t(lang, "button.mark_matched"),
                    ids.A_MARK_MATCHED,
                    RequestTarget(s.id, s.version).value,
                    label=t(lang, "a11y.mark_matched", id=s.id),
                ),
            ),
            context(t(lang, "coord.mark_matched_hint")),
        ],
    }


def reminder(
    s: Summary, directory: Directory, lang: str, days: int, escalate_after: int
) -> Message:
    """To the contacts: the request waits; they decide right here (the same buttons)."""
    text = t(
        lang,
        "remind.contact",
        id=s.id,
        user=f"<@{s.requester_id}>",
        days=days,
        escalate=escalate_after,
    )
    return {
        "text": push(s, directory, lang, "push.reminder", days=days),
        "blocks": [
            section(text),
            *summary_blocks(s, directory, lang),
            decision_buttons(s, lang, f"remind_{s.id}_{s.version}"),
        ],
    }


def escalation(s: Summary, directory: Directory, lang: str, days: int) -> Message:
    """To the coordinators: the request is stuck; they may decide themselves."""
    contacts = join_names([f"<@{u}>" for u in directory.contacts_of(s.own_city_key)], lang) or "–"
    text = t(
        lang,
        "remind.escalate",
        id=s.id,
        user=f"<@{s.requester_id}>",
        days=days,
        city=escape(directory.city_name(s.own_city_key)),
        contacts=contacts,
    )
    message = decision_request(s, directory, lang)
    message["blocks"][0] = section(text)
    message["text"] = push(s, directory, lang, "push.escalation", days=days)
    return message
