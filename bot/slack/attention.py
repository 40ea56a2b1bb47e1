"""The coordinators' "Braucht Ihre Aufmerksamkeit" section of the Home tab: every request or
claim waiting for the coordination, each with the buttons of its DM (same action ids, same
values: a click here is a click there, with the same checks)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain import rules
from bot.domain.attention import Attention, Waiting, Why
from bot.domain.claims import next_steps
from bot.domain.directory import Directory
from bot.domain.states import Status
from bot.slack import ids
from bot.slack.blocks import Block, actions, button, context, divider, escape, section
from bot.slack.budget import budget_text
from bot.slack.claims import STEP_BUTTONS, amount_text
from bot.slack.history import history_button
from bot.slack.messages import cities_line, when
from bot.slack.messages.overdue import city_names
from bot.slack.targets import NamingTarget, RequestTarget
from bot.texts import fmt_date, fmt_range, t

# The text of each claim step's screen-reader label.
CLAIM_LABELS = {
    ids.A_CLAIM_CHECK: "attention.label.claim_check",
    ids.A_CLAIM_QUESTION: "attention.label.claim_question",
    ids.A_CLAIM_PAID: "attention.label.claim_paid",
}


def attention_blocks(
    attention: Attention, directory: Directory, lang: str, tz: ZoneInfo
) -> list[Block]:
    """The section: its title with how many wait, the rows waiting longest first (the rest
    counted), or the line that nothing waits."""
    blocks: list[Block] = [
        divider(),
        section(f"*{t(lang, 'attention.title', n=attention.total)}*"),
    ]
    if not attention.items:
        blocks.append(context(t(lang, "attention.empty")))
        return blocks
    for item in attention.items:
        blocks += row(item, directory, lang, tz)
    if attention.total > len(attention.items):
        blocks.append(context(t(lang, "home.more", n=attention.total - len(attention.items))))
    return blocks


def row(item: Waiting, directory: Directory, lang: str, tz: ZoneInfo) -> list[Block]:
    """One item: the request in a line, why it waits and since when, and its buttons."""
    s = item.request
    lines = [
        f"*#{s.id} {escape(s.title)}*",
        f"{escape(cities_line(s, directory))} · {fmt_range(s.date_from, s.date_to, lang)}"
        f" · {t(lang, 'summary.by')} <@{s.requester_id}>",
        *(reason(item, why, directory, lang) for why in item.reasons),
    ]
    if item.budget is not None:
        lines.append(budget_text(item.budget, directory, lang))
    lines.append(f"_{t(lang, 'attention.since', when=when(item.since, lang, tz))}_")
    return [section("\n".join(lines)), *with_history(buttons(item, directory, lang), s.id, lang)]


def with_history(blocks: list[Block], request_id: int, lang: str) -> list[Block]:
    """*Verlauf* after the row's last button (a row of its own where it has none)."""
    if not blocks:
        return [actions(f"attention_history_{request_id}", history_button(request_id, lang))]
    last = {**blocks[-1], "elements": [*blocks[-1]["elements"], history_button(request_id, lang)]}
    return [*blocks[:-1], last]


def reason(item: Waiting, why: Why, directory: Directory, lang: str) -> str:
    s = item.request
    city = escape(directory.city_name(s.own_city_key))
    day = fmt_date(s.date_from, lang)
    cities = city_names(directory, item.missing, lang)
    if why == Why.SOON:
        if s.status in rules.NAMING:
            return t(lang, "attention.why.soon_unnamed", date=day, cities=cities)
        if s.status == Status.NEEDS_INFO:
            return t(lang, "attention.why.soon_question", date=day, user=f"<@{s.requester_id}>")
        return t(lang, "attention.why.soon_undecided", date=day)
    if why in (Why.CLAIM_CHECK, Why.CLAIM_PAY) and item.claim is not None:
        return t(lang, f"attention.why.{why}", amount=amount_text(item.claim, lang))
    return t(lang, f"attention.why.{why}", city=city, cities=cities)


def buttons(item: Waiting, directory: Directory, lang: str) -> list[Block]:
    """The buttons of the item's DM: the claim's steps, the decision, or one naming button
    per partner city still missing its experts (one block each: an action id once per
    block). A request waiting for the requester's answer has none."""
    s = item.request
    if item.claim is not None:
        value = RequestTarget(s.id, item.claim.version).value
        elements = []
        for step in next_steps(item.claim.status):
            action_id, key, style = STEP_BUTTONS[step]
            label = t(lang, CLAIM_LABELS[action_id], id=s.id)
            elements.append(button(t(lang, key), action_id, value, style=style, label=label))
        return [actions(f"attention_claim_{s.id}_{item.claim.version}", *elements)]
    if s.status in rules.DECIDABLE:
        value = RequestTarget(s.id, s.version).value
        return [
            actions(
                f"attention_decide_{s.id}_{s.version}",
                button(
                    t(lang, "button.approve"),
                    ids.A_APPROVE,
                    value,
                    style="primary",
                    label=t(lang, "attention.label.approve", id=s.id),
                ),
                button(
                    t(lang, "button.decline"),
                    ids.A_DECLINE,
                    value,
                    style="danger",
                    label=t(lang, "attention.label.decline", id=s.id),
                ),
                button(
                    t(lang, "button.ask"),
                    ids.A_ASK,
                    value,
                    label=t(lang, "attention.label.ask", id=s.id),
                ),
            )
        ]
    if s.status in rules.NAMING:
        blocks = []
        for city in item.missing:
            name = escape(directory.city_name(city))
            blocks.append(
                actions(
                    f"attention_name_{s.id}_{city}",
                    button(
                        t(lang, "button.name_experts_for", city=name),
                        ids.A_NAME_EXPERTS,
                        NamingTarget(s.id, s.version, city).value,
                        style="primary",
                        label=t(
                            lang,
                            "attention.label.name_experts",
                            id=s.id,
                            city=directory.city_name(city),
                        ),
                    ),
                )
            )
        return blocks
    return []
